using System.Text.Json;
using Engage.Domain.Interactions;
using Engage.Functions.Http;

namespace Engage.Functions.Import;

/// <summary>The body of <c>POST /api/ops/import</c> as sent: <c>{"source":"github","target":"owner/repo","since":"2026-01-01T00:00:00Z"}</c>.</summary>
public sealed record ImportRequestBody(string? Source, string? Target, string? Since);

/// <summary>The answer of <c>POST /api/ops/import</c>.</summary>
public sealed record ImportAccepted(string ImportId);

/// <summary>The answer of <c>GET /api/ops/import/{importId}</c>.</summary>
public sealed record ImportStatus(string ImportId, string Source, string Target, string Status, int Pages, int Interactions, string? Error);

/// <summary>
/// A message on queue <c>imports</c>: one page (or one item range) of one stage of an import. <see cref="Cursor"/>
/// is the stage's own position (a page number, a <c>max_id</c>, a Slack cursor, a topic id).
/// </summary>
public sealed record ImportStep(string ImportId, string Source, string Target, DateTimeOffset? Since, string Stage, string? Cursor = null)
{
    /// <summary>Row key of this step's progress row: stable for the same stage and cursor, so a redelivered step updates its own row.</summary>
    public string Key => $"step:{Stage}:{Hash(Cursor ?? "")}";

    public string ToJson() => JsonSerializer.Serialize(this, EngageJson.Options);

    public static ImportStep Parse(string json) =>
        JsonSerializer.Deserialize<ImportStep>(json, EngageJson.Options) ?? throw new JsonException("Empty import step.");

    public ImportStep Next(string stage, string? cursor = null) => this with { Stage = stage, Cursor = cursor };

    private static string Hash(string value) =>
        Engage.Domain.Sources.Signatures.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(value))[..24];
}

/// <summary>What one step produced: interactions to ingest, steps to run after it, items it could not map.</summary>
public sealed record ImportPage(IReadOnlyList<Interaction> Interactions, IReadOnlyList<ImportStep> Next, int Skipped = 0)
{
    public static ImportPage Empty { get; } = new([], []);
}
