using Azure.Data.Tables;

namespace Engage.Functions.Storage;

/// <summary>
/// Bytes in a row's numbered binary columns (<c>{prefix}0</c>, <c>{prefix}1</c>…) of at most <see cref="ColumnBytes"/>
/// each, under the 64 KiB a property may hold: the projection state's chunk rows and the leaderboards' rows.
/// </summary>
public static class BinaryColumns
{
    public const int ColumnBytes = 60_000;

    /// <summary>Puts <paramref name="bytes"/> in the row's columns; answers how many it took.</summary>
    public static int Put(TableEntity row, string prefix, ReadOnlySpan<byte> bytes)
    {
        var columns = 0;
        for (var start = 0; start < bytes.Length; start += ColumnBytes)
        {
            row[$"{prefix}{columns++}"] = bytes.Slice(start, Math.Min(ColumnBytes, bytes.Length - start)).ToArray();
        }

        return columns;
    }

    /// <summary>Appends the row's columns, in order, up to the first missing one.</summary>
    public static void AppendTo(Stream output, TableEntity row, string prefix)
    {
        for (var c = 0; row.GetBinary($"{prefix}{c}") is { } column; c++)
        {
            output.Write(column);
        }
    }
}
