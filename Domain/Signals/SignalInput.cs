using Engage.Domain.Interactions;

namespace Engage.Domain.Signals;

public sealed record SignalInput(string? Text, InteractionKind Kind, IReadOnlyList<string>? Mentions = null, bool ParentIsQuestion = false, bool SelfReply = false, bool Accepted = false);
