using System.Security.Cryptography;
using System.Text;

namespace Engage.Functions.Dashboard;

/// <summary>
/// The dashboard page, assembled once from the HTML, CSS and JavaScript embedded in this assembly
/// (Functions/Dashboard/wwwroot): the style and script are inlined so the page is one request that
/// needs nothing else, and the Content-Security-Policy allows exactly those two blocks by hash and
/// connections to the app's own origin, so the browser itself refuses anything from elsewhere.
/// </summary>
public static class DashboardPage
{
    private static readonly Lazy<(string Html, string Csp)> Page = new(Build);

    public static string Html => Page.Value.Html;
    public static string ContentSecurityPolicy => Page.Value.Csp;

    private static (string, string) Build()
    {
        var css = Read("dashboard.css");
        var js = Read("dashboard.js");
        var html = Read("dashboard.html")
            .Replace("<!--style-->", "<style>" + css + "</style>", StringComparison.Ordinal)
            .Replace("<!--script-->", "<script>" + js + "</script>", StringComparison.Ordinal);
        var csp = string.Join("; ",
            "default-src 'none'",
            $"script-src '{Hash(js)}'",
            $"style-src '{Hash(css)}'",
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'");
        return (html, csp);
    }

    private static string Hash(string content) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    private static string Read(string name)
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream("Engage.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard resource {name} is not embedded in {typeof(DashboardPage).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
