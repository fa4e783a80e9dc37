using System.Security.Cryptography;
using System.Text;
using Engage.Functions.Http;

namespace Engage.DevHost;

/// <summary>
/// DevHost's stand-in for function keys: when <c>DevHost__ApiKey</c> is set, every route whose function is
/// not <c>AuthorizationLevel.Anonymous</c> (and the admin API) needs that key in header
/// <c>x-functions-key</c> or query <c>?code=</c>, as the Functions host asks for its keys; 401 otherwise.
/// Unset, DevHost serves every route to anyone who can reach it (the local default).
/// </summary>
public sealed class ApiKeyCheck(IConfiguration configuration)
{
    public const string Setting = "DevHost:ApiKey";
    public const string Header = "x-functions-key";

    private readonly byte[]? _key = configuration[Setting] is { Length: > 0 } key ? Encoding.UTF8.GetBytes(key) : null;

    public bool Enabled => _key is not null;

    /// <summary>True when the request may go on: no key is configured, or it carries the right one.</summary>
    public bool Allows(HttpRequest request)
    {
        if (_key is null)
        {
            return true;
        }

        var given = request.Headers[Header].ToString() is { Length: > 0 } header ? header : request.Query["code"].ToString();
        return given.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _key);
    }

    /// <summary>The 401 the Functions host would answer, as problem+json.</summary>
    public static Task RejectAsync(HttpContext context) =>
        Problems.Problem(401, "Unauthorized", $"This route needs a function key: header '{Header}' or query 'code'.").ExecuteAsync(context);
}
