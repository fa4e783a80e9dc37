namespace Engage.Bench.Window;

/// <summary>
/// Window-bounded reads benchmark (console harness, not a test):
/// <c>dotnet run -c Release --project bench/Engage.Bench.Window [-- --smoke] [window=3000] [--out FILE]</c>.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var smoke = args.Contains("--smoke");
        var markdown = await WindowBench.RunAsync(smoke, args, CancellationToken.None);
        Console.WriteLine(markdown);
        var outAt = Array.IndexOf(args, "--out");
        if (outAt >= 0 && outAt + 1 < args.Length)
        {
            await File.WriteAllTextAsync(args[outAt + 1], markdown);
        }

        return 0;
    }
}
