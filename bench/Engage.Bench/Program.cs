// Text-signal benchmark (console harness, not a test): `signals` or `train-signals`, see SignalBench.
// The read-path benchmark moved to bench/Engage.Bench.Reads (ReadsBench).
//
//   dotnet run -c Release --project bench/Engage.Bench -- signals
var options = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
if (args.FirstOrDefault() is "signals" or "train-signals")
{
    Engage.Bench.SignalBench.Run(args[0], options);
    return 0;
}

Console.Error.WriteLine("usage: Engage.Bench signals|train-signals [key=value ...]; the read path is bench/Engage.Bench.Reads");
return 2;
