using System.Globalization;
using System.Net;
using System.Text;

namespace Engage.Domain.Digests;

/// <summary>
/// Renders a digest for email clients: table layout, inline CSS only, a bar chart made of table cells,
/// no scripts and no remote images; and the same content as plain text.
/// </summary>
public static class DigestRenderer
{
    private const string Font = "font-family:Arial,Helvetica,sans-serif;color:#1f2933;";
    private const string Conversation = "#2f855a";
    private const string Broadcast = "#c05621";

    public static string Subject(Digest d) => d.IsEmpty
        ? "Your Engage digest: a quiet month"
        : d.Owed.Count > 0 ? $"Your Engage digest: {d.Owed[0].Person.Name} helped you"
        : d.OpenQuestions.Count > 0 ? $"Your Engage digest: {Count(d.OpenQuestions.Count, "question")} waiting for you"
        : "Your Engage digest";

    public static string Html(Digest d, string unsubscribeUrl)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Append("<title>").Append(E(Subject(d))).Append("</title></head>")
            .Append("<body style=\"margin:0;padding:0;background:#f4f5f7;\">")
            .Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background:#f4f5f7;\"><tr><td align=\"center\" style=\"padding:24px 8px;\">")
            .Append("<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"max-width:600px;width:100%;background:#ffffff;border-radius:6px;").Append(Font).Append("\">");

        Row(h, $"<h1 style=\"margin:0;font-size:22px;{Font}\">Hi {E(d.User.Name)},</h1>"
            + $"<p style=\"margin:8px 0 0;font-size:14px;color:#52606d;\">Your month in your community, {E(d.Day(d.AsOf - Digest.Period))} – {E(d.Day(d.AsOf))}.</p>", "header");

        if (d.IsEmpty)
        {
            Row(h, Section("A quiet month", "<p style=\"margin:0;font-size:15px;\">We saw no posts, replies or reactions from you or to you in the last 30 days.</p>"), "quiet");
        }
        else
        {
            Row(h, Section("Your engagement", ScoreHtml(d)), "score");
            Row(h, Section("Conversation vs broadcast", ChartHtml(d)), "conversation");
            if (d.Owed.Count > 0)
            {
                Row(h, Section("People to thank", OwedHtml(d)), "owed");
            }

            if (d.OpenQuestions.Count > 0)
            {
                Row(h, Section("Questions waiting for you", QuestionsHtml(d)), "questions");
            }

            if (d.BestConversation is { } best)
            {
                Row(h, Section("Your best conversation",
                    $"<p style=\"margin:0;font-size:15px;\">{E(best.With.Name)}: {Count(best.FromYou + best.FromThem, "exchange")} ({best.FromYou} from you, {best.FromThem} from them), the last on {E(d.Day(best.LastAt))}.</p>"), "best");
            }
        }

        Row(h, Section("One thing to do this week", $"<p style=\"margin:0;font-size:15px;font-weight:bold;\">{E(d.Suggestion)}</p>"), "suggestion");
        Row(h, $"<p style=\"margin:0;font-size:12px;color:#7b8794;\">You get this because you subscribed to Engage digests. "
            + $"<a href=\"{E(unsubscribeUrl)}\" style=\"color:#7b8794;\">Unsubscribe</a>.</p>", "footer");
        h.Append("</table></td></tr></table></body></html>");
        return h.ToString();
    }

    public static string Text(Digest d, string unsubscribeUrl)
    {
        var t = new StringBuilder();
        t.AppendLine(CultureInfo.InvariantCulture, $"Hi {d.User.Name},");
        t.AppendLine(CultureInfo.InvariantCulture, $"Your month in your community, {d.Day(d.AsOf - Digest.Period)} - {d.Day(d.AsOf)}.");
        t.AppendLine();
        if (d.IsEmpty)
        {
            t.AppendLine("A QUIET MONTH");
            t.AppendLine("We saw no posts, replies or reactions from you or to you in the last 30 days.");
            t.AppendLine();
        }
        else
        {
            t.AppendLine("YOUR ENGAGEMENT");
            t.AppendLine(ScoreText(d));
            t.AppendLine();
            t.AppendLine("CONVERSATION VS BROADCAST");
            t.AppendLine(ShareText(d));
            t.AppendLine();
            if (d.Owed.Count > 0)
            {
                t.AppendLine("PEOPLE TO THANK");
                foreach (var o in d.Owed)
                {
                    t.AppendLine(CultureInfo.InvariantCulture, $"- {o.Person.Name} {string.Join("; ", o.Deeds.Select(x => x.Text))}");
                }

                t.AppendLine();
            }

            if (d.OpenQuestions.Count > 0)
            {
                t.AppendLine("QUESTIONS WAITING FOR YOU");
                foreach (var q in d.OpenQuestions)
                {
                    t.AppendLine(CultureInfo.InvariantCulture, $"- {q.From.Name} asked you on {d.Day(q.AskedAt)}");
                }

                t.AppendLine();
            }

            if (d.BestConversation is { } best)
            {
                t.AppendLine("YOUR BEST CONVERSATION");
                t.AppendLine(CultureInfo.InvariantCulture, $"{best.With.Name}: {Count(best.FromYou + best.FromThem, "exchange")} ({best.FromYou} from you, {best.FromThem} from them), the last on {d.Day(best.LastAt)}.");
                t.AppendLine();
            }
        }

        t.AppendLine("ONE THING TO DO THIS WEEK");
        t.AppendLine(d.Suggestion);
        t.AppendLine();
        t.AppendLine(CultureInfo.InvariantCulture, $"Unsubscribe: {unsubscribeUrl}");
        return t.ToString();
    }

    private static string ScoreText(Digest d)
    {
        var change = d.PreviousScore == 0 && d.Score > 0
            ? "up from nothing the month before"
            : d.ScoreChange switch
            {
                > 0.05 => $"up {d.ScoreChange.ToString("0.0", CultureInfo.InvariantCulture)} from the month before",
                < -0.05 => $"down {(-d.ScoreChange).ToString("0.0", CultureInfo.InvariantCulture)} from the month before",
                _ => "about the same as the month before",
            };
        return $"Score {d.Score.ToString("0.0", CultureInfo.InvariantCulture)}, {change}.";
    }

    private static string ShareText(Digest d) => d.ConversationShare is { } share
        ? $"{Percent(share)} conversation, {Percent(1 - share)} broadcast ({d.ConversationActions} of {d.AuthoredActions} posts and replies started or joined a conversation)."
        : "You did not post, reply or share this month; what you received is below.";

    private static string ScoreHtml(Digest d) => $"<p style=\"margin:0;font-size:15px;\">{E(ScoreText(d))}</p>";

    private static string ChartHtml(Digest d)
    {
        if (d.ConversationShare is not { } share)
        {
            return $"<p style=\"margin:0;font-size:15px;\">{E(ShareText(d))}</p>";
        }

        var conversation = (int)Math.Round(share * 100);
        var bar = new StringBuilder("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;\"><tr>");
        if (conversation > 0)
        {
            bar.Append(CultureInfo.InvariantCulture, $"<td width=\"{conversation}%\" style=\"background:{Conversation};height:18px;font-size:0;line-height:0;\">&nbsp;</td>");
        }

        if (conversation < 100)
        {
            bar.Append(CultureInfo.InvariantCulture, $"<td width=\"{100 - conversation}%\" style=\"background:{Broadcast};height:18px;font-size:0;line-height:0;\">&nbsp;</td>");
        }

        bar.Append("</tr></table>");
        bar.Append(CultureInfo.InvariantCulture, $"<p style=\"margin:8px 0 0;font-size:13px;\"><span style=\"color:{Conversation};font-weight:bold;\">&#9632; Conversation {Percent(share)}</span> &nbsp; <span style=\"color:{Broadcast};font-weight:bold;\">&#9632; Broadcast {Percent(1 - share)}</span></p>");
        bar.Append(CultureInfo.InvariantCulture, $"<p style=\"margin:4px 0 0;font-size:13px;color:#52606d;\">{d.ConversationActions} of your {d.AuthoredActions} posts, replies and shares started or joined a conversation.</p>");
        return bar.ToString();
    }

    private static string OwedHtml(Digest d)
    {
        var list = new StringBuilder("<p style=\"margin:0 0 8px;font-size:14px;color:#52606d;\">They gave you more than you gave back. Make a note to repay them.</p><ul style=\"margin:0;padding-left:20px;font-size:15px;\">");
        foreach (var o in d.Owed)
        {
            list.Append("<li style=\"margin-bottom:6px;\"><strong>").Append(E(o.Person.Name)).Append("</strong> ").Append(E(string.Join("; ", o.Deeds.Select(x => x.Text)))).Append("</li>");
        }

        return list.Append("</ul>").ToString();
    }

    private static string QuestionsHtml(Digest d)
    {
        var list = new StringBuilder("<ul style=\"margin:0;padding-left:20px;font-size:15px;\">");
        foreach (var q in d.OpenQuestions)
        {
            list.Append("<li style=\"margin-bottom:6px;\"><strong>").Append(E(q.From.Name)).Append("</strong> asked you on ").Append(E(d.Day(q.AskedAt))).Append("</li>");
        }

        return list.Append("</ul>").ToString();
    }

    private static string Section(string title, string body) =>
        $"<h2 style=\"margin:0 0 8px;font-size:17px;{Font}\">{E(title)}</h2>{body}";

    private static void Row(StringBuilder h, string content, string id) =>
        h.Append("<tr><td id=\"").Append(id).Append("\" style=\"padding:16px 24px;border-bottom:1px solid #e4e7eb;\">").Append(content).Append("</td></tr>");

    private static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
