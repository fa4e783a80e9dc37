using Engage.Domain.Scoring;

namespace Engage.Domain.Digests;

/// <summary>Someone, as a digest names them: by handle where one is known.</summary>
public sealed record Person(string UserId, string? Handle)
{
    public string Name => Handle is { Length: > 0 } h ? "@" + h : UserId;
}

/// <summary>What someone did for the subscriber, in words the data supports ("answered your question on 18 Nov").</summary>
public sealed record Deed(string Text, DateTimeOffset At);

public sealed record OwedPerson(Person Person, double Points, IReadOnlyList<Deed> Deeds);

public sealed record WaitingQuestion(string Id, Person From, DateTimeOffset AskedAt, int DaysWaiting);

/// <summary>The counterpart with the most exchanges both ways in the month.</summary>
public sealed record Conversation(Person With, int FromYou, int FromThem, DateTimeOffset LastAt);

/// <summary>
/// The content of one weekly digest (pure data; rendering is separate). Every figure comes from the
/// user's folds over the 30 days ending at <see cref="AsOf"/>; <see cref="IsEmpty"/> months say so
/// instead of showing zeros.
/// </summary>
public sealed record Digest(
    Person User,
    DateTimeOffset AsOf,
    TimeZoneInfo TimeZone,
    bool IsEmpty,
    double Score,
    double PreviousScore,
    int ConversationActions,
    int BroadcastActions,
    IReadOnlyList<OwedPerson> Owed,
    IReadOnlyList<WaitingQuestion> OpenQuestions,
    Conversation? BestConversation,
    string Suggestion)
{
    public static readonly TimeSpan Period = Window.Default;

    public double ScoreChange => Score - PreviousScore;

    public int AuthoredActions => ConversationActions + BroadcastActions;

    /// <summary>Share of the month's posts, replies, reposts and quotes that were conversation; null with none.</summary>
    public double? ConversationShare => AuthoredActions == 0 ? null : (double)ConversationActions / AuthoredActions;

    /// <summary>A date in the subscriber's time zone, e.g. "18 Nov".</summary>
    public string Day(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, TimeZone).ToString("d MMM", System.Globalization.CultureInfo.InvariantCulture);
}
