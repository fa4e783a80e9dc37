using System.Globalization;
using System.Text;

namespace Engage.Bench.Support;

/// <summary>The benchmarks' table: <c>| case | figure | baseline | ratio | goal |</c>, numbers in the invariant culture.</summary>
public sealed class MarkdownTable
{
    private readonly StringBuilder _rows = new();

    public MarkdownTable Row(string @case, string figure, string baseline, double? ratio, string goal)
    {
        _rows.Append(CultureInfo.InvariantCulture, $"| {@case} | {figure} | {baseline} | {(ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) + "×" : "—")} | {goal} |\n");
        return this;
    }

    public override string ToString() => "| case | figure | baseline | ratio | goal |\n|---|---:|---:|---:|---|\n" + _rows;

    public static string N(double value, string format = "F0") => value.ToString(format, CultureInfo.InvariantCulture);
}
