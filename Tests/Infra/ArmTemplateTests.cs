using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Engage.Domain.Sources;
using Engage.Functions.Storage;
using Microsoft.Extensions.Configuration;

namespace Engage.Tests.Infra;

/// <summary>
/// Checks the compiled ARM template (<c>.engage/infra/main.json</c>, written by <c>infra/validate.sh</c>)
/// for what review would otherwise have to catch: no keys or connection strings, secrets only as Key Vault
/// references, one user-assigned identity behind every role and the app, identity-only storage and
/// telemetry, and names that match the code.
/// </summary>
public sealed partial class ArmTemplateTests
{
    private const string IdentityType = "Microsoft.ManagedIdentity/userAssignedIdentities";

    private static readonly string[] SecretSettings =
    [
        "Sources__GitHub__Secret", "Sources__Slack__SigningSecret", "Sources__X__ConsumerSecret",
        "Sources__Discourse__Secret", "Sources__Mastodon__Secret", "Sources__Standard__Secret",
        "Email__ApiKey", "Unsubscribe__SigningKey",
    ];

    private static readonly string[] ForbiddenInSettings =
    [
        "AccountKey=", "DefaultEndpointsProtocol", "InstrumentationKey=", "SharedAccessSignature=",
        "listKeys(", "listConnectionStrings(", "listAccountSas(", "listServiceSas(",
    ];

    private readonly ArmTemplate _template = ArmTemplate.Load();

    [Fact]
    public void AppSettings_Values_ContainNoKeyOrConnectionString()
    {
        var settings = AppSettings();

        Assert.NotEmpty(settings);
        foreach (var (name, value) in settings)
        {
            foreach (var forbidden in ForbiddenInSettings)
            {
                Assert.False(value.Contains(forbidden, StringComparison.OrdinalIgnoreCase), $"App setting {name} contains '{forbidden}': {value}");
            }
        }
    }

    [Fact]
    public void AppSettings_Secrets_AreKeyVaultReferencesToTheDeployedVault()
    {
        var (settings, scope) = AppSettingsWithScope();
        var vault = Assert.Single(_template.OfType("Microsoft.KeyVault/vaults"));
        var vaultName = ArmTemplate.Resolve(vault.Name, vault.Scope);
        var secretLike = settings.Keys.Where(k => k.StartsWith("Sources__", StringComparison.Ordinal));

        foreach (var name in SecretSettings.Union(secretLike))
        {
            Assert.True(settings.TryGetValue(name, out var value), $"App setting {name} is missing.");
            var reference = KeyVaultReference(value, scope);
            Assert.True(reference is not null, $"App setting {name} is not a Key Vault reference: {value}");
            Assert.Equal(vaultName, ArmTemplate.Resolve(reference.Value.Vault, scope));
            Assert.Matches("^[0-9A-Za-z-]{1,127}$", reference.Value.Secret);
        }
    }

    [Fact]
    public void AppSettings_ReferencedSecrets_AreTheOnesTheVaultModuleWrites()
    {
        var (settings, scope) = AppSettingsWithScope();
        var referenced = settings.Values.Select(v => KeyVaultReference(v, scope)).OfType<(string Vault, string Secret)>()
            .Select(r => r.Secret).ToHashSet();
        var secrets = Assert.Single(_template.OfType("Microsoft.KeyVault/vaults/secrets"));
        var parameterName = Regex.Match(secrets.Name, @"items\(parameters\('(\w+)'\)\)").Groups[1].Value;
        var passed = secrets.Scope.Deployment?["properties"]?["parameters"]?[parameterName]?["value"]?.AsObject();
        Assert.NotNull(passed);

        var written = passed.Select(p => Literal(p.Key, secrets.Scope.Parent!)).ToHashSet();

        Assert.Equal(SecretSettings.Length, referenced.Count);
        Assert.Equal(referenced.Order(StringComparer.Ordinal), written.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AppSettings_EveryWebhookSourceSecret_IsAKeyVaultReference()
    {
        var (settings, scope) = AppSettingsWithScope();
        var sources = typeof(WebhookSource).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(WebhookSource)) && !t.IsAbstract)
            .Select(t => (WebhookSource)RuntimeHelpers.GetUninitializedObject(t))
            .ToList();

        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            var setting = source.SecretSetting.Replace(":", "__", StringComparison.Ordinal);
            Assert.True(settings.TryGetValue(setting, out var value), $"Source '{source.Name}' reads {source.SecretSetting}, but the app has no setting {setting}.");
            Assert.NotNull(KeyVaultReference(value, scope));
        }
    }

    [Fact]
    public void RoleAssignments_PrincipalId_IsTheUserAssignedIdentity()
    {
        var identity = TheIdentityName();
        var assignments = _template.OfType("Microsoft.Authorization/roleAssignments").ToList();

        Assert.NotEmpty(assignments);
        foreach (var assignment in assignments)
        {
            var principalId = assignment.Properties["principalId"]!.GetValue<string>();
            var resolved = ArmTemplate.Resolve(principalId, assignment.Scope);
            var match = IdentityProperty().Match(resolved.Expression);
            Assert.True(match.Success && match.Groups[2].Value == "principalId", $"{assignment}: principalId {principalId} resolves to {resolved.Expression}, not an identity's principalId.");
            Assert.Equal(identity, ArmTemplate.Resolve($"[{match.Groups[1].Value}]", resolved.Scope));
            Assert.Equal("ServicePrincipal", assignment.Properties["principalType"]?.GetValue<string>());
            Assert.StartsWith("[guid(", assignment.Name, StringComparison.Ordinal);
            Assert.Contains(Regex.Match(principalId, @"parameters\('\w+'\)").Value, assignment.Name, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts")] // Storage Blob Data Owner
    [InlineData("974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Microsoft.Storage/storageAccounts")] // Storage Queue Data Contributor
    [InlineData("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Microsoft.Storage/storageAccounts")] // Storage Table Data Contributor
    [InlineData("4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults")] // Key Vault Secrets User
    [InlineData("3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components")] // Monitoring Metrics Publisher
    public void RoleAssignments_Role_IsGrantedOnItsResource(string roleId, string scopeType)
    {
        var granted = _template.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => RoleIds(a).Contains(roleId))
            .ToList();

        var assignment = Assert.Single(granted);
        Assert.Contains($"resourceId('{scopeType}'", assignment.Json["scope"]?.GetValue<string>() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionApp_Identity_IsTheUserAssignedIdentity()
    {
        var identity = TheIdentityName();
        var app = TheFunctionApp();
        var assigned = app.Json["identity"]?.AsObject();

        Assert.Equal("UserAssigned", assigned?["type"]?.GetValue<string>());
        var key = Assert.Single(assigned!["userAssignedIdentities"]!.AsObject()).Key;
        Assert.Equal(identity, IdentityById(key, app.Scope));
        Assert.Equal(identity, IdentityById(app.Properties["keyVaultReferenceIdentity"]!.GetValue<string>(), app.Scope));
        var deploymentAuth = app.Properties["functionAppConfig"]?["deployment"]?["storage"]?["authentication"];
        Assert.Equal("UserAssignedIdentity", deploymentAuth?["type"]?.GetValue<string>());
        Assert.Equal(identity, IdentityById(deploymentAuth!["userAssignedIdentityResourceId"]!.GetValue<string>(), app.Scope));
    }

    [Fact]
    public void FunctionApp_Runtime_IsDotnetIsolated10OnFlexConsumption()
    {
        var app = TheFunctionApp();
        var plan = Assert.Single(_template.OfType("Microsoft.Web/serverfarms"));
        var runtime = app.Properties["functionAppConfig"]?["runtime"];

        Assert.Equal("dotnet-isolated", runtime?["name"]?.GetValue<string>());
        Assert.Equal("10.0", runtime?["version"]?.GetValue<string>());
        Assert.Equal("FC1", plan.Json["sku"]?["name"]?.GetValue<string>());
        Assert.Equal("FlexConsumption", plan.Json["sku"]?["tier"]?.GetValue<string>());
        Assert.True(app.Properties["httpsOnly"]?.GetValue<bool>());
        // azd deploys the `api` service of azure.yaml to the resource carrying this tag.
        Assert.Contains("'azd-service-name', 'api'", app.Json["tags"]?.GetValue<string>() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void AppSettings_IdentitySettings_UseTheUserAssignedIdentity()
    {
        var identity = TheIdentityName();
        var (settings, scope) = AppSettingsWithScope();

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        var clientId = IdentityProperty().Match(settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal("clientId", clientId.Groups[2].Value);
        Assert.Equal(identity, ArmTemplate.Resolve($"[{clientId.Groups[1].Value}]", scope));
        var authentication = settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];
        Assert.StartsWith("[format('ClientId={0};Authorization=AAD', reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities'", authentication, StringComparison.Ordinal);
        Assert.Contains(").clientId)]", authentication, StringComparison.Ordinal);
        Assert.DoesNotContain(settings.Keys, k => k == "AzureWebJobsStorage" || k.EndsWith("__accountKey", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void AppSettings_StorageSettings_BindToAnIdentityStorageConnection()
    {
        // In Azure, app settings become environment variables, and '__' becomes ':' in configuration.
        // Values computed at deployment (the identity's client id, the endpoints) get stand-ins.
        const string prefix = StorageConnection.SettingName + "__";
        const string clientId = "00000000-0000-0000-0000-000000000001";
        var settings = AppSettings()
            .Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(
                s => s.Key.Replace("__", ":", StringComparison.Ordinal),
                s => (string?)(s.Key.EndsWith("ServiceUri", StringComparison.Ordinal)
                    ? $"https://engage.{s.Key[prefix.Length..^"ServiceUri".Length].ToLowerInvariant()}.core.windows.net/"
                    : s.Value.StartsWith('[') ? clientId : s.Value));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var connection = StorageConnection.From(configuration);

        Assert.True(connection.UsesIdentity);
        Assert.Equal("managedidentity", connection.Credential);
        Assert.Equal(clientId, connection.ClientId);
        Assert.Equal(new Uri("https://engage.blob.core.windows.net/"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://engage.queue.core.windows.net/"), connection.QueueServiceUri);
        Assert.Equal(new Uri("https://engage.table.core.windows.net/"), connection.TableServiceUri);
    }

    [Theory]
    [InlineData("Scores__Schedule", "0 */5 * * * *")]
    [InlineData("Digest__Schedule", "0 0 8 * * 1")]
    [InlineData("Scoring__BroadcastWeight", "0")]
    [InlineData("Email__Provider", "sendgrid")]
    [InlineData("AzureWebJobsStorage__credential", "managedidentity")]
    public void AppSettings_Setting_DefaultsToTheArchitectureValue(string name, string expected)
    {
        var (settings, scope) = AppSettingsWithScope();

        Assert.Equal(expected, ArmTemplate.Resolve(settings[name], scope).Literal);
    }

    [Fact]
    public void AppSettings_HalfLifeDays_DefaultsTo30()
    {
        var (settings, scope) = AppSettingsWithScope();
        var parameter = Regex.Match(settings["Scoring__HalfLifeDays"], @"^\[string\((parameters\('\w+'\))\)\]$");

        Assert.True(parameter.Success, settings["Scoring__HalfLifeDays"]);
        Assert.Equal("30", ArmTemplate.Resolve($"[{parameter.Groups[1].Value}]", scope).Literal);
    }

    [Fact]
    public void Storage_SharedKeyAndPublicAccess_AreDisabled()
    {
        var account = Assert.Single(_template.OfType("Microsoft.Storage/storageAccounts"));

        Assert.False(account.Properties["allowSharedKeyAccess"]?.GetValue<bool>() ?? true);
        Assert.False(account.Properties["allowBlobPublicAccess"]?.GetValue<bool>() ?? true);
        Assert.Equal("TLS1_2", account.Properties["minimumTlsVersion"]?.GetValue<string>());
        Assert.True(account.Properties["supportsHttpsTrafficOnly"]?.GetValue<bool>() ?? false);
    }

    [Fact]
    public void Storage_TablesQueuesAndContainers_MatchStorageNames()
    {
        var account = Assert.Single(_template.OfType("Microsoft.Storage/storageAccounts"));
        var names = new StorageNames();

        Assert.Equal(names.Tables.Order(StringComparer.Ordinal), LoopItems(account.Scope, "Microsoft.Storage/storageAccounts/tableServices/tables").Order(StringComparer.Ordinal));
        Assert.Equal(
            new[] { StorageNames.InteractionsQueue, StorageNames.DigestsQueue, StorageNames.ImportsQueue }.SelectMany(q => new[] { q, q + "-poison" }).Order(StringComparer.Ordinal),
            LoopItems(account.Scope, "Microsoft.Storage/storageAccounts/queueServices/queues").Order(StringComparer.Ordinal));
        Assert.Contains(names.Webhooks, LoopItems(account.Scope, "Microsoft.Storage/storageAccounts/blobServices/containers"));
    }

    [Fact]
    public void FunctionApp_DeploymentContainer_IsCreatedInTheStorageAccount()
    {
        var app = TheFunctionApp();
        var account = Assert.Single(_template.OfType("Microsoft.Storage/storageAccounts"));
        var value = app.Properties["functionAppConfig"]!["deployment"]!["storage"]!["value"]!.GetValue<string>();
        var container = Regex.Match(value, @", (parameters\('\w+'\))\)\]$");

        Assert.True(container.Success, value);
        var name = Literal($"[{container.Groups[1].Value}]", app.Scope);
        Assert.Contains(name, LoopItems(account.Scope, "Microsoft.Storage/storageAccounts/blobServices/containers"));
    }

    [Fact]
    public void ApplicationInsights_LocalAuth_IsDisabled()
    {
        var insights = Assert.Single(_template.OfType("Microsoft.Insights/components"));

        Assert.True(insights.Properties["DisableLocalAuth"]?.GetValue<bool>());
        Assert.StartsWith("[resourceId('Microsoft.OperationalInsights/workspaces'", insights.Properties["WorkspaceResourceId"]?.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void KeyVault_Authorization_IsRbacWithSoftDelete()
    {
        var vault = Assert.Single(_template.OfType("Microsoft.KeyVault/vaults"));

        Assert.True(vault.Properties["enableRbacAuthorization"]?.GetValue<bool>());
        Assert.True(vault.Properties["enableSoftDelete"]?.GetValue<bool>());
        Assert.Null(vault.Properties["accessPolicies"]);
    }

    [Fact]
    public void PoisonAlert_Query_MatchesTheHostsPoisonLogMessage()
    {
        var rule = Assert.Single(_template.OfType("Microsoft.Insights/scheduledQueryRules"));
        var criterion = Assert.Single(rule.Properties["criteria"]!["allOf"]!.AsArray());
        var query = Literal(criterion!["query"]!.GetValue<string>(), rule.Scope);
        // What the queue extension logs when it gives up on a message (Azure WebJobs Storage Queues).
        const string hostLog = "Message has reached MaxDequeueCount of 5. Moving message to queue 'interactions-poison'.";

        Assert.Contains("Moving message to queue", query, StringComparison.Ordinal);
        Assert.Contains(hostLog[hostLog.IndexOf("Moving", StringComparison.Ordinal)..hostLog.IndexOf('\'', StringComparison.Ordinal)], query, StringComparison.Ordinal);
        Assert.Contains("-poison", query, StringComparison.Ordinal);
        Assert.Equal("Count", criterion["timeAggregation"]?.GetValue<string>());
        Assert.StartsWith("[resourceId('Microsoft.Insights/components'", ArmTemplate.Resolve(rule.Properties["scopes"]![0]!.GetValue<string>(), rule.Scope).Expression, StringComparison.Ordinal);
    }

    [Fact]
    public void ParametersFile_Parameters_MatchTheTemplate()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(_template.RepoRoot, "infra", "main.parameters.json")))!;
        var given = file["parameters"]!.AsObject().Select(p => p.Key).ToHashSet();
        var declared = _template.Root.Template["parameters"]!.AsObject();
        var required = declared.Where(p => p.Value?["defaultValue"] is null).Select(p => p.Key);

        Assert.Empty(given.Except(declared.Select(p => p.Key)));
        Assert.Empty(required.Except(given));
        Assert.Equal("${AZURE_ENV_NAME}", file["parameters"]!["environmentName"]!["value"]!.GetValue<string>());
        Assert.Equal("${AZURE_LOCATION}", file["parameters"]!["location"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void Template_SecureParameters_AreSecureDownToTheVault()
    {
        var declared = _template.Root.Template["parameters"]!.AsObject();
        var secrets = declared.Where(p => p.Key.Contains("secret", StringComparison.OrdinalIgnoreCase) || p.Key.EndsWith("Key", StringComparison.Ordinal)).ToList();

        Assert.Equal(SecretSettings.Length, secrets.Count);
        Assert.All(secrets, p => Assert.Equal("securestring", p.Value!["type"]!.GetValue<string>()));
        Assert.All(secrets, p => Assert.Equal("", p.Value!["defaultValue"]?.GetValue<string>()));
        var vaultModule = Assert.Single(_template.OfType("Microsoft.KeyVault/vaults/secrets")).Scope;
        Assert.All(vaultModule.Template["parameters"]!.AsObject().Where(p => p.Key.Contains("secret", StringComparison.OrdinalIgnoreCase)),
            p => Assert.StartsWith("secure", p.Value!["type"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    private ArmTemplate.Resource TheFunctionApp() =>
        Assert.Single(_template.OfType("Microsoft.Web/sites"), s => s.Json["kind"]?.GetValue<string>()?.Contains("functionapp", StringComparison.Ordinal) == true);

    private ArmTemplate.Resolved TheIdentityName()
    {
        var identity = Assert.Single(_template.OfType(IdentityType));
        return ArmTemplate.Resolve(identity.Name, identity.Scope);
    }

    private Dictionary<string, string> AppSettings() => AppSettingsWithScope().Settings;

    private (Dictionary<string, string> Settings, ArmTemplate.Scope Scope) AppSettingsWithScope()
    {
        var config = Assert.Single(_template.OfType("Microsoft.Web/sites/config"), c => c.Name.Contains("'appsettings'", StringComparison.Ordinal) || c.Name.EndsWith("/appsettings", StringComparison.Ordinal));
        var settings = config.Properties.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "", StringComparer.Ordinal);
        return (settings, config.Scope);
    }

    /// <summary>The identity a resource id expression names: <c>resourceId('...userAssignedIdentities', parameters('x'))</c>.</summary>
    private static ArmTemplate.Resolved? IdentityById(string expression, ArmTemplate.Scope scope)
    {
        var match = Regex.Match(expression, @"resourceId\('Microsoft\.ManagedIdentity/userAssignedIdentities', (parameters\('\w+'\))\)");
        return match.Success ? ArmTemplate.Resolve($"[{match.Groups[1].Value}]", scope) : null;
    }

    /// <summary>(vault name expression, secret name) of a Key Vault reference setting, or null.</summary>
    private static (string Vault, string Secret)? KeyVaultReference(string value, ArmTemplate.Scope scope)
    {
        var literal = Regex.Match(value, @"^@Microsoft\.KeyVault\(VaultName=([^;]+);SecretName=([^)]+)\)$");
        if (literal.Success)
        {
            return (literal.Groups[1].Value, literal.Groups[2].Value);
        }

        var formatted = KeyVaultFormat().Match(value);
        return formatted.Success ? ($"[{formatted.Groups[1].Value}]", Literal($"[{formatted.Groups[2].Value}]", scope)) : null;
    }

    /// <summary>
    /// A string the template computes from literals only: a literal, <c>variables('v')</c>,
    /// <c>variables('v').m</c>, <c>format('{0}', ...)</c> of one, or a parameter with a literal default.
    /// </summary>
    private static string Literal(string expression, ArmTemplate.Scope scope)
    {
        if (!expression.StartsWith('['))
        {
            return expression;
        }

        var resolved = ArmTemplate.Resolve(expression, scope);
        if (resolved.Literal is { } literal)
        {
            return literal;
        }

        var variable = VariableReference().Match(resolved.Expression);
        Assert.True(variable.Success, $"Not a literal-valued expression in {resolved.Scope.Path}: {resolved.Expression}");
        var value = ArmTemplate.Variable(resolved.Scope, variable.Groups[1].Value, variable.Groups[2].Success ? variable.Groups[2].Value : null);
        Assert.True(value is JsonValue, $"No literal variable for {resolved.Expression} in {resolved.Scope.Path}");
        return Literal(value.GetValue<string>(), resolved.Scope);
    }

    /// <summary>The names a copy loop (<c>[for x in list]</c>, list a literal variable) creates.</summary>
    private IEnumerable<string> LoopItems(ArmTemplate.Scope scope, string type)
    {
        var loop = Assert.Single(_template.OfType(type), r => r.Scope == scope);
        var list = Regex.Match(loop.Name, @"variables\('(\w+)'\)\[copyIndex\(\)\]\)\]$");
        Assert.True(list.Success, loop.Name);
        return ListVariable(scope, list.Groups[1].Value);
    }

    private static List<string> ListVariable(ArmTemplate.Scope scope, string name)
    {
        var items = ArmTemplate.Variable(scope, name);
        Assert.True(items is JsonArray, $"Variable {name} in {scope.Path} is not a literal array.");
        return [.. items.AsArray().Select(i => Literal(i!.GetValue<string>(), scope))];
    }

    /// <summary>The role definition GUIDs an assignment grants (its own, or every item of its loop).</summary>
    private static List<string> RoleIds(ArmTemplate.Resource assignment)
    {
        var expression = assignment.Properties["roleDefinitionId"]!.GetValue<string>();
        var role = Regex.Match(expression, @"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', (.+)\)\]$");
        Assert.True(role.Success, $"{assignment}: roleDefinitionId {expression}");
        var argument = role.Groups[1].Value;
        var loop = Regex.Match(argument, @"^variables\('(\w+)'\)\[copyIndex\(\)\]$");
        return loop.Success ? ListVariable(assignment.Scope, loop.Groups[1].Value)
            : [Literal(argument.StartsWith('\'') ? argument.Trim('\'') : $"[{argument}]", assignment.Scope)];
    }

    [GeneratedRegex(@"^\[format\('@Microsoft\.KeyVault\(VaultName=\{0\};SecretName=\{1\}\)', (parameters\('\w+'\)), (variables\('\w+'\)(?:\.\w+)?)\)\]$")]
    private static partial Regex KeyVaultFormat();

    [GeneratedRegex(@"^\[reference\(resourceId\('Microsoft\.ManagedIdentity/userAssignedIdentities', (parameters\('\w+'\))\), '[^']+'\)\.(principalId|clientId)\]$")]
    private static partial Regex IdentityProperty();

    [GeneratedRegex(@"^\[(?:format\('\{0\}', )?variables\('([^']+)'\)(?:\.(\w+))?\)?\]$")]
    private static partial Regex VariableReference();
}
