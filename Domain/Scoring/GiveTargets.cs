using Engage.Domain.Facts;
using Engage.Domain.Interactions;

namespace Engage.Domain.Scoring;

/// <summary>
/// The users an interaction gives to, enumerated without a list: the same users in the same order as
/// <see cref="Gives.Targets"/> (parent or subject author first, then mentions; each once; never the actor),
/// for the folds' hot loops, where one list per interaction was most of what they allocated.
/// </summary>
public readonly struct GiveTargets(Resolved interaction)
{
    public static GiveTargets Of(Resolved interaction) => new(interaction);

    public Enumerator GetEnumerator() => new(interaction);

    /// <summary>Whether <paramref name="user"/> is one of the targets (ordinal).</summary>
    public bool Contains(string user)
    {
        foreach (var t in this)
        {
            if (t == user)
            {
                return true;
            }
        }

        return false;
    }

    public struct Enumerator
    {
        private readonly Resolved _i;
        private readonly string? _primary;
        private readonly int _mentions;
        private int _k;

        internal Enumerator(Resolved i)
        {
            _i = i;
            _primary = i.Kind switch
            {
                InteractionKind.Reply => i.ParentAuthor,
                InteractionKind.Repost or InteractionKind.Quote or InteractionKind.Reaction or InteractionKind.Follow => i.SubjectAuthor,
                _ => null,
            };
            _mentions = i.Kind is InteractionKind.Post or InteractionKind.Reply or InteractionKind.Quote ? i.Mentions.Count : 0;
            _k = -2;
            Current = "";
        }

        public string Current { get; private set; }

        public bool MoveNext()
        {
            while (++_k < _mentions)
            {
                var candidate = _k == -1 ? _primary : _i.Mentions[_k];
                if (IsNew(candidate))
                {
                    Current = candidate!;
                    return true;
                }
            }

            return false;
        }

        /// <summary>Not empty, not the actor, and not an earlier candidate (an equal earlier candidate was yielded already).</summary>
        private readonly bool IsNew(string? candidate)
        {
            if (string.IsNullOrEmpty(candidate) || candidate == _i.Actor)
            {
                return false;
            }

            if (_k >= 0)
            {
                if (candidate == _primary)
                {
                    return false;
                }

                var mentions = _i.Mentions;
                for (var j = 0; j < _k; j++)
                {
                    if (mentions[j] == candidate)
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }
}
