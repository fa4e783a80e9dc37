using System.Reflection;
using Azure.Storage.Queues.Models;
using Engage.Functions.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;

namespace Engage.DevHost;

/// <summary>
/// Calls a function method the way the worker does: a new instance of its class from DI per
/// invocation, trigger data bound to its parameters by type and route-parameter name.
/// </summary>
public sealed class FunctionInvoker(IServiceProvider services)
{
    public async Task InvokeHttpAsync(FunctionDescriptor function, HttpContext context)
    {
        var args = function.Method.GetParameters().Select(p => p.ParameterType switch
        {
            var t when t == typeof(HttpRequest) => context.Request,
            var t when t == typeof(CancellationToken) => (object)context.RequestAborted,
            var t when t == typeof(string) => context.GetRouteValue(p.Name!)?.ToString(),
            _ => Unsupported(function, p),
        }).ToArray();

        var result = await InvokeAsync(function, context.RequestServices, args);
        if (result is IResult http)
        {
            await http.ExecuteAsync(context);
        }
        else if (result is IActionResult action)
        {
            await action.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
    }

    public Task InvokeQueueAsync(FunctionDescriptor function, QueueMessage message, CancellationToken ct) =>
        InvokeWithScopeAsync(function, p => p.ParameterType switch
        {
            var t when t == typeof(QueueMessage) => message,
            var t when t == typeof(string) => message.Body.ToString(),
            var t when t == typeof(BinaryData) => message.Body,
            var t when t == typeof(CancellationToken) => ct,
            _ => Unsupported(function, p),
        });

    public Task InvokeTimerAsync(FunctionDescriptor function, CancellationToken ct) =>
        InvokeWithScopeAsync(function, p => p.ParameterType switch
        {
            var t when t == typeof(TimerInfo) => new TimerInfo(),
            var t when t == typeof(CancellationToken) => ct,
            _ => Unsupported(function, p),
        });

    /// <summary>A queue or timer invocation, in a DI scope of its own and a span of its own (the worker's invocation span under the Functions host).</summary>
    private async Task InvokeWithScopeAsync(FunctionDescriptor function, Func<ParameterInfo, object?> bind)
    {
        using var activity = Engage.Functions.Telemetry.EngageMetrics.Source.StartActivity(function.Name, System.Diagnostics.ActivityKind.Consumer);
        activity?.SetTag("faas.trigger", function.Trigger == TriggerKind.Queue ? "pubsub" : "timer");
        await using var scope = services.CreateAsyncScope();
        await InvokeAsync(function, scope.ServiceProvider, function.Method.GetParameters().Select(bind).ToArray());
    }

    private static async Task<object?> InvokeAsync(FunctionDescriptor function, IServiceProvider provider, object?[] args)
    {
        var instance = function.Method.IsStatic ? null : ActivatorUtilities.CreateInstance(provider, function.Type);
        object? returned;
        try
        {
            returned = function.Method.Invoke(instance, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }

        switch (returned)
        {
            case Task task:
                await task;
                var resultProperty = task.GetType().GetProperty("Result");
                return task.GetType().IsGenericType ? resultProperty?.GetValue(task) : null;
            case ValueTask valueTask:
                await valueTask;
                return null;
            default:
                return returned;
        }
    }

    private static object Unsupported(FunctionDescriptor function, ParameterInfo parameter) =>
        throw new NotSupportedException($"DevHost cannot bind parameter '{parameter.Name}' ({parameter.ParameterType.Name}) of function {function.Name}.");
}
