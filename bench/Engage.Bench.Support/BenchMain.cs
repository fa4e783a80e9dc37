namespace Engage.Bench.Support;

/// <summary>
/// The command line every benchmark shares (bench/run.sh calls it): <c>[--smoke] [--out FILE] [key=value …]</c>.
/// The benchmark returns one markdown section; it is printed and, with <c>--out</c>, written to FILE.
/// </summary>
public static class BenchMain
{
    public delegate Task<string> Benchmark(bool smoke, string[] args, CancellationToken ct);

    public static async Task<int> RunAsync(string[] args, Benchmark benchmark)
    {
        var smoke = args.Contains("--smoke");
        var outIndex = Array.IndexOf(args, "--out");
        var output = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;
        var rest = args.Where((a, i) => a != "--smoke" && (outIndex < 0 || (i != outIndex && i != outIndex + 1))).ToArray();
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        var markdown = await benchmark(smoke, rest, cancel.Token);
        Console.WriteLine(markdown);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, markdown, cancel.Token);
        }

        return 0;
    }

    /// <summary><c>key=value</c> arguments.</summary>
    public static IReadOnlyDictionary<string, string> Options(string[] args) =>
        args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
