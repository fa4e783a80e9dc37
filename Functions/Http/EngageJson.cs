using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Engage.Functions.Http;

/// <summary>
/// One JSON shape for the API, the queues and table columns: camelCase, nulls written, enums as
/// camelCase strings, times as UTC with a <c>Z</c>. The HTTP contract's records come from the
/// source-generated <see cref="EngageJsonContext"/>; anything else (queue messages, table columns)
/// falls back to reflection with the same settings.
/// </summary>
public static class EngageJson
{
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>Applies Engage's settings to an options instance (the API's <c>JsonOptions</c> too, so both hosts write the same bytes).</summary>
    public static void Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new UtcTimeConverter());
        options.TypeInfoResolverChain.Insert(0, EngageJsonContext.Default);
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Apply(options);
        if (!options.TypeInfoResolverChain.OfType<DefaultJsonTypeInfoResolver>().Any())
        {
            options.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
        }

        options.MakeReadOnly();
        return options;
    }
}

/// <summary>Times are written as UTC with a <c>Z</c> (docs/api.md: "times are ISO-8601 UTC"); any ISO-8601 offset is read.</summary>
public sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
}
