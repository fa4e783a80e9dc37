namespace Engage.Functions.Http;

/// <summary>
/// A query parameter an HTTP function reads from <c>HttpRequest.Query</c>: the binding attributes do not
/// name these, so the function names them here, and the OpenAPI document lists them.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class QueryParameterAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;
    public string Description { get; } = description;

    /// <summary>An OpenAPI format such as <c>date-time</c>, <c>duration</c> or <c>int32</c>; the type is string unless the format is an integer one.</summary>
    public string? Format { get; init; }

    public bool Required { get; init; }
}

/// <summary>The read parameters every score route takes (docs/api.md "Scores").</summary>
public static class ReadQuery
{
    public const string AsOf = "The instant to read at, ISO-8601 (default now; 2000-01-01 to 2100-01-01).";
    public const string Window = "The window's length, an ISO-8601 duration from PT1H to P36500D (default P30D).";
    public const string Top = "How many entries at most, 1 to 1000.";
}
