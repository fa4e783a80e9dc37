using BenchmarkDotNet.Attributes;
using Engage.Domain.Facts;
using Engage.Domain.Scoring;
using Engage.Tests.Scoring.Reference;

namespace Engage.Bench.Folds;

/// <summary>Sizes of the fold benchmarks; set before BenchmarkDotNet runs them in this process.</summary>
public static class FoldSizes
{
    public static int UserFacts { get; set; } = 10_000;
    public static int Counterparts { get; set; } = 500;
    public static int CommunityFacts { get; set; } = 1_300_000;
    public static int CommunityUsers { get; set; } = 100_000;
}

/// <summary>One user's reciprocity (the read path, top 50 counterparts) over their partition: string-keyed fold vs interned fold.</summary>
[MemoryDiagnoser]
public class ReciprocityFoldBenchmarks
{
    private static readonly ScoringOptions Options = new();
    private List<Resolved> _facts = [];

    public int Facts => _facts.Count;

    [GlobalSetup]
    public void Setup() => _facts = Workload.OneUser(FoldSizes.Counterparts, FoldSizes.UserFacts, seed: 7);

    [Benchmark(Baseline = true)]
    public Reciprocity Old() => ReferenceReciprocityFold.Fold(Workload.Me, _facts, _ => null, Workload.Window, Options);

    [Benchmark]
    public Reciprocity New() => ReciprocityFold.Fold(Workload.Me, _facts, _ => null, Workload.Window, Options);
}

/// <summary>The community figures (users, r, rho, broadcast share, open questions) over a window: string-pair set vs interned pairs.</summary>
[MemoryDiagnoser]
public class CommunityFoldBenchmarks
{
    private static readonly ScoringOptions Options = new();
    private List<Resolved> _facts = [];

    [GlobalSetup]
    public void Setup() => _facts = Workload.Community(FoldSizes.CommunityUsers, FoldSizes.CommunityFacts, seed: 11);

    [Benchmark(Baseline = true)]
    public Community Old() => ReferenceCommunityFold.Fold(_facts, Workload.Window, Options);

    [Benchmark]
    public Community New() => CommunityFold.Fold(_facts, Workload.Window, Options);
}
