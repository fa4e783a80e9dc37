using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engage.Functions.Http;

/// <summary>One JSON shape for the API, the queues and table columns: camelCase, enums as camelCase strings.</summary>
public static class EngageJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
