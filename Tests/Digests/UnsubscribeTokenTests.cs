using Engage.Domain.Digests;

namespace Engage.Tests.Digests;

public sealed class UnsubscribeTokenTests
{
    private const string Key = "test-key-of-sufficient-length";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Validate_FreshToken_ReturnsUser()
    {
        var token = UnsubscribeToken.Create("slack:T1.U2", Now.AddDays(60), Key);
        Assert.Equal("slack:T1.U2", UnsubscribeToken.Validate(token, Now, Key));
    }

    [Fact]
    public void Validate_Expired_IsNull()
    {
        var token = UnsubscribeToken.Create("x:1", Now.AddSeconds(-1), Key);
        Assert.Null(UnsubscribeToken.Validate(token, Now, Key));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b.c")]
    [InlineData("!!!.???")]
    public void Validate_Malformed_IsNull(string? token)
    {
        Assert.Null(UnsubscribeToken.Validate(token, Now, Key));
    }

    [Fact]
    public void Validate_ForgedUserOrOtherKey_IsNull()
    {
        var token = UnsubscribeToken.Create("x:1", Now.AddDays(1), Key);
        var forgedPayload = UnsubscribeToken.Create("x:2", Now.AddDays(1), "attacker-key-of-some-length").Split('.')[0];

        Assert.Null(UnsubscribeToken.Validate(forgedPayload + "." + token.Split('.')[1], Now, Key));
        Assert.Null(UnsubscribeToken.Validate(token, Now, "another-key-entirely-here"));
    }
}
