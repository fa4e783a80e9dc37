using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Engage.Tests.Infra;

/// <summary>
/// The ARM template that <c>infra/validate.sh</c> compiles from <c>infra/main.bicep</c>, with its nested
/// module deployments (<c>Microsoft.Resources/deployments</c> with <c>properties.template</c>) walked
/// recursively, and a small resolver that follows a value through module parameters and outputs to where
/// it is defined. Bicep emits both template shapes: resources as an array, or (languageVersion 2.0) as an
/// object keyed by symbolic name; both are read.
/// </summary>
internal sealed partial class ArmTemplate
{
    public const string RelativePath = ".engage/infra/main.json";

    private static readonly Lazy<ArmTemplate?> Cached = new(() => TryLoad(out _));

    private ArmTemplate(string repoRoot, JsonObject root)
    {
        RepoRoot = repoRoot;
        Root = new Scope(root, null, null, null);
        Resources = [.. Walk(Root)];
    }

    public string RepoRoot { get; }

    public Scope Root { get; }

    /// <summary>Every resource of every template, modules included.</summary>
    public IReadOnlyList<Resource> Resources { get; }

    /// <summary>The compiled template; fails the calling test (never skips it) when it has not been built.</summary>
    public static ArmTemplate Load()
    {
        var template = Cached.Value;
        if (template is null)
        {
            TryLoad(out var reason);
            Assert.Fail(reason);
        }

        return template!;
    }

    public static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EngageFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No EngageFunctions.sln above {AppContext.BaseDirectory}.");
    }

    private static ArmTemplate? TryLoad(out string reason)
    {
        var root = FindRepoRoot();
        var path = Path.Combine(root, RelativePath);
        if (!File.Exists(path))
        {
            reason = $"{path} does not exist: run infra/validate.sh (it compiles infra/main.bicep with the Bicep CLI) before these tests.";
            return null;
        }

        reason = "";
        return new ArmTemplate(root, JsonNode.Parse(File.ReadAllText(path))!.AsObject());
    }

    public IEnumerable<Resource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<Resource> Walk(Scope scope)
    {
        foreach (var (symbol, json) in Entries(scope.Template["resources"]))
        {
            var resource = new Resource(json, scope, symbol);
            yield return resource;
            if (resource.Type == "Microsoft.Resources/deployments" && json["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in Walk(new Scope(nested, json, symbol, scope)))
                {
                    yield return inner;
                }
            }
        }
    }

    private static IEnumerable<(string? Symbol, JsonObject Json)> Entries(JsonNode? resources) => resources switch
    {
        JsonArray array => array.OfType<JsonObject>().Select(r => ((string?)null, r)),
        JsonObject map => map.Where(p => p.Value is JsonObject).Select(p => ((string?)p.Key, p.Value!.AsObject())),
        _ => [],
    };

    /// <summary>
    /// Follows <paramref name="expression"/> out of modules (<c>[parameters('x')]</c> → the value the
    /// parent passed, or the parameter's default at the root) and into them (a module output → the
    /// expression the module computes it with), until it is defined somewhere. Two values are the same
    /// when they resolve to the same expression in the same template.
    /// </summary>
    public static Resolved Resolve(string expression, Scope scope)
    {
        for (var hops = 0; hops < 64; hops++)
        {
            if (ParameterReference().Match(expression) is { Success: true } parameter)
            {
                var name = parameter.Groups[1].Value;
                var passed = scope.Deployment?["properties"]?["parameters"]?[name]?["value"];
                var value = passed ?? scope.Template["parameters"]?[name]?["defaultValue"];
                if (value is null)
                {
                    return new Resolved(expression, scope, null);
                }

                if (passed is not null)
                {
                    scope = scope.Parent!;
                }

                if (value is JsonValue leaf && leaf.TryGetValue<string>(out var text) && text.StartsWith('['))
                {
                    expression = text;
                    continue;
                }

                var literal = value is JsonValue plain && plain.TryGetValue<string>(out var plainText) ? plainText : value.ToJsonString();
                return new Resolved(literal, scope, literal);
            }

            if (ModuleOutput().Match(expression) is { Success: true } output
                && FindModule(scope, output.Groups[1].Value) is { } module
                && module.Template["outputs"]?[output.Groups[2].Value]?["value"]?.GetValue<string>() is { } computed)
            {
                (expression, scope) = (computed, module);
                continue;
            }

            break;
        }

        return new Resolved(expression, scope, expression.StartsWith('[') ? null : expression);
    }

    /// <summary>
    /// The value of a variable of the template (<c>variables('a')</c>, or <c>variables('a').b</c>), following
    /// the hidden variables Bicep emits for <c>loadJsonContent</c> (<c>"a": "[variables('$fxv#0')]"</c>).
    /// </summary>
    public static JsonNode? Variable(Scope scope, string name, string? member = null)
    {
        var value = scope.Template["variables"]?[name];
        for (var hops = 0; hops < 8 && value is JsonValue text && text.TryGetValue<string>(out var expression)
            && VariableReference().Match(expression) is { Success: true } next; hops++)
        {
            value = scope.Template["variables"]?[next.Groups[1].Value];
        }

        return member is null ? value : (value as JsonObject)?[member];
    }

    private static Scope? FindModule(Scope scope, string symbol) =>
        Entries(scope.Template["resources"])
            .Where(e => e.Symbol == symbol && e.Json["properties"]?["template"] is JsonObject)
            .Select(e => new Scope(e.Json["properties"]!["template"]!.AsObject(), e.Json, symbol, scope))
            .FirstOrDefault();

    [GeneratedRegex(@"^\[parameters\('(\w+)'\)\]$")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"^\[variables\('([^']+)'\)\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\[reference\('(\w+)'\)\.outputs\.(\w+)\.value\]$")]
    private static partial Regex ModuleOutput();

    /// <summary>One template: the root, or a module's <c>properties.template</c>.</summary>
    public sealed record Scope(JsonObject Template, JsonObject? Deployment, string? Symbol, Scope? Parent)
    {
        public string Path => Parent is null ? "main" : $"{Parent.Path}/{Symbol}";

        public bool Equals(Scope? other) => other is not null && ReferenceEquals(Template, other.Template);

        public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Template);
    }

    /// <summary>Where a value is defined: the expression, its template, and the literal when there is one.</summary>
    public sealed record Resolved(string Expression, Scope Scope, string? Literal);

    public sealed record Resource(JsonObject Json, Scope Scope, string? Symbol)
    {
        public string Type => Json["type"]!.GetValue<string>();

        public string Name => Json["name"]!.GetValue<string>();

        public JsonObject Properties => Json["properties"]?.AsObject() ?? [];

        public override string ToString() => $"{Type} {Name} in {Scope.Path}";
    }
}
