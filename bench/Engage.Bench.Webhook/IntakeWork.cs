using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Functions.Ingest;
using Engage.Functions.Webhooks;

namespace Engage.Bench.Webhook;

/// <summary>
/// The in-memory part of intake on one thread, the steps <c>DeliveryPipeline.ReceiveAsync</c> runs before its one queue
/// put, for the bench's one-event deliveries: the request's headers, signature check, UTF-8 and JSON checks, delivery
/// id, normalization, <see cref="InteractionLimits"/>, packing (the check that every interaction fits a message) and
/// the delivery message. CPU microseconds a request (the process's CPU clock while nothing else runs in it).
/// </summary>
public static class IntakeWork
{
    public static double CpuMicrosecondsPerRequest(int count)
    {
        var source = new Standard();
        var deliveries = new Deliveries();
        var requests = Enumerable.Range(0, Math.Min(count, 2000)).Select(_ =>
        {
            using var signed = StandardWebhook.Signed(deliveries.Body());
            var headers = signed.Headers.Concat(signed.Content!.Headers).ToDictionary(h => h.Key, h => string.Join(',', h.Value), StringComparer.OrdinalIgnoreCase);
            return (Headers: headers, Body: signed.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult());
        }).ToList();
        string[] secrets = [App.Secret];
        var sink = 0;

        void One(int i)
        {
            var (headers, body) = requests[i % requests.Count];
            var request = new WebhookRequest("POST", headers, new Dictionary<string, string>(), body);
            var now = DateTimeOffset.UtcNow;
            if (source.Verify(request, secrets, now) is not null || !System.Text.Unicode.Utf8.IsValid(body))
            {
                throw new InvalidOperationException("The bench's own delivery was refused.");
            }

            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128 });
            var id = source.DeliveryId(request, document.RootElement);
            var normalized = source.Normalize(request, document.RootElement);
            if (normalized.Interactions.Any(x => InteractionLimits.Problem(x, now) is not null))
            {
                throw new InvalidOperationException("The bench's own delivery is over a limit.");
            }

            sink += IngestMessage.Pack("standard", id, normalized.Interactions, null, now).Count;
            var message = DeliveryMessage.Create("standard", id, $"standard/{id}.json", now, body, ArchivedHeaders.Encode(headers));
            sink += message?.Length ?? 0;
        }

        for (var i = 0; i < Math.Min(count, 500); i++)
        {
            One(i);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < count; i++)
        {
            One(i);
        }

        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        GC.KeepAlive(Encoding.UTF8.GetByteCount(sink.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return used.TotalMicroseconds / count;
    }
}
