namespace Engage.Bench.Reads;

/// <summary>
/// <c>dotnet run -c Release --project bench/Engage.Bench.Reads [-- --smoke] [--out FILE] [facts=10000,100000] [runs=5]</c>:
/// prints the markdown section of <see cref="ReadsBench"/> and, given <c>--out</c>, writes it there.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var smoke = args.Contains("--smoke", StringComparer.Ordinal);
        var outIndex = Array.IndexOf(args, "--out");
        var markdown = await ReadsBench.RunAsync(smoke, args, CancellationToken.None);
        Console.WriteLine(markdown);
        if (outIndex >= 0 && outIndex + 1 < args.Length)
        {
            await File.WriteAllTextAsync(args[outIndex + 1], markdown);
        }

        return 0;
    }
}
