using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Http;

public enum TriggerKind
{
    Http,
    Queue,
    Timer,
}

/// <summary>One function as the Functions host would bind it, read from the same attributes the SDK's generator reads.</summary>
public sealed record FunctionDescriptor(
    string Name,
    Type Type,
    MethodInfo Method,
    TriggerKind Trigger,
    string? Route = null,
    IReadOnlyList<string>? HttpMethods = null,
    string? AuthLevel = null,
    string? QueueName = null,
    string? Connection = null,
    string? Schedule = null,
    bool RunOnStartup = false);

/// <summary>The functions of an assembly, found by their <c>[Function]</c> attribute and trigger attributes.</summary>
public sealed class FunctionCatalog(IReadOnlyList<FunctionDescriptor> functions)
{
    public IReadOnlyList<FunctionDescriptor> Functions { get; } = functions;

    public FunctionDescriptor? Find(string name) =>
        Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    public static FunctionCatalog From(Assembly assembly)
    {
        var list = new List<FunctionDescriptor>();
        foreach (var type in assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
                {
                    continue;
                }

                list.Add(Describe(function.Name, type, method));
            }
        }

        return new FunctionCatalog(list.OrderBy(f => f.Name, StringComparer.Ordinal).ToList());
    }

    private static FunctionDescriptor Describe(string name, Type type, MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
        {
            if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is { } http)
            {
                return new FunctionDescriptor(name, type, method, TriggerKind.Http,
                    Route: http.Route ?? name,
                    HttpMethods: (http.Methods ?? ["get", "post"]).Select(m => m.ToLowerInvariant()).ToList(),
                    AuthLevel: http.AuthLevel.ToString());
            }

            if (parameter.GetCustomAttribute<QueueTriggerAttribute>() is { } queue)
            {
                return new FunctionDescriptor(name, type, method, TriggerKind.Queue,
                    QueueName: queue.QueueName, Connection: queue.Connection ?? "AzureWebJobsStorage");
            }

            if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is { } timer)
            {
                return new FunctionDescriptor(name, type, method, TriggerKind.Timer,
                    Schedule: timer.Schedule, RunOnStartup: timer.RunOnStartup);
            }
        }

        throw new InvalidOperationException($"Function {name} has no trigger DevHost knows (HTTP, queue, timer).");
    }
}
