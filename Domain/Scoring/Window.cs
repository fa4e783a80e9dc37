namespace Engage.Domain.Scoring;

/// <summary>The closed interval [asOf − length, asOf] every read folds over.</summary>
public readonly record struct Window(DateTimeOffset AsOf, TimeSpan Length)
{
    public static readonly TimeSpan Default = TimeSpan.FromDays(30);
    public static readonly TimeSpan Min = TimeSpan.FromHours(1);
    public static readonly TimeSpan Max = TimeSpan.FromDays(36500);

    public DateTimeOffset From => AsOf - Length;

    public bool Contains(DateTimeOffset at) => at >= From && at <= AsOf;
}
