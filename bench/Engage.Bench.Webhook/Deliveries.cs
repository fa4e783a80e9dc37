using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Engage.Bench.Webhook;

/// <summary>
/// Signed one-event Standard Webhooks deliveries (standardwebhooks.com), the way a sender signs them: posts and replies
/// among 200 users (each reply names its parent's author, so nothing waits for a parent), a third mentioning someone.
/// </summary>
public sealed class Deliveries
{
    private readonly Random _random = new(17);
    private readonly List<(string Id, string Author)> _posts = [];
    private int _next;

    /// <summary>Bodies made before a run, so the generator only signs and sends.</summary>
    public List<string> Bodies(int count) => [.. Enumerable.Range(0, count).Select(_ => Body())];

    public string Body()
    {
        var id = $"w:{_next++}";
        var actor = $"w:u{_random.Next(200)}";
        var at = DateTimeOffset.UtcNow.AddMinutes(-_random.Next(1, 600)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var mention = _random.Next(3) == 0 ? $",\"mentions\":[\"w:u{_random.Next(200)}\"]" : "";
        string item;
        if (_posts.Count > 0 && _random.Next(2) == 0)
        {
            var (parent, author) = _posts[_random.Next(_posts.Count)];
            item = $"{{\"id\":\"{id}\",\"kind\":\"reply\",\"actor\":\"{actor}\",\"occurredAt\":\"{at}\",\"inReplyTo\":{{\"id\":\"{parent}\",\"author\":\"{author}\"}},\"text\":\"Thanks, that fixed the build for me.\"{mention}}}";
        }
        else
        {
            item = $"{{\"id\":\"{id}\",\"kind\":\"post\",\"actor\":\"{actor}\",\"occurredAt\":\"{at}\",\"text\":\"How do I cache the runner image between jobs?\"{mention}}}";
            _posts.Add((id, actor));
        }

        return "{\"events\":[" + item + "]}";
    }
}
