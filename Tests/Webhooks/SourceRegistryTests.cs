using Engage.Functions.Webhooks;

namespace Engage.Tests.Webhooks;

public sealed class SourceRegistryTests
{
    [Theory]
    [InlineData(null, new string[0])]
    [InlineData("", new string[0])]
    [InlineData("one", new[] { "one" })]
    [InlineData(" new , old ,", new[] { "new", "old" })]
    [InlineData("@Microsoft.KeyVault(VaultName=kv-x;SecretName=sources-github-secret)", new string[0])]
    public void SecretsOf_Setting_SplitsForRotationAndIgnoresUnresolvedKeyVaultReferences(string? setting, string[] expected)
    {
        Assert.Equal(expected, SourceRegistry.SecretsOf(setting));
    }
}
