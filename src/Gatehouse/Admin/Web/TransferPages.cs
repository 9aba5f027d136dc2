using System.Globalization;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin.Web;

/// <summary>/ui/transfers: this node's transfer history searched by user, path, time range and outcome, as GET /api/v1/transfers searches it.</summary>
internal static class TransferPages
{
    private const int Limit = 200;

    public static void Map(IEndpointRouteBuilder ui) =>
        ui.MapGet("/transfers", (string? user, string? path, string? from, string? to, string? outcome, HttpContext http, GatehouseOptions options) =>
            {
                var errors = new List<string>();
                var (start, end) = (Time(from, "From", errors), Time(to, "To", errors));
                if (outcome is not (null or "" or "complete" or "incomplete"))
                {
                    errors.Add($"'{outcome}' is not an outcome: choose complete or incomplete.");
                }

                var found = errors.Count > 0 ? [] : TransferHistory.Search(
                    new DataPaths(options.DataDirectory).TransferLog,
                    new TransferQuery(Blank(user), Blank(path), start, end, Blank(outcome) is { } wanted ? wanted == "complete" : null, Limit));
                var rows = Html.Join(found.Select(record => Html.Of($"""
                    <tr><td>{WebPage.Time(record.Finished)}</td><td>{record.User}</td><td>{record.Client}</td><td>{(record.Direction == TransferDirection.Outgoing ? "download" : "upload")}</td>
                    <td class="path">{record.Path}</td><td class="number">{WebPage.Bytes(record.Bytes)}</td><td class="number">{record.Seconds} s</td><td>{(record.Complete ? "complete" : "incomplete")}</td></tr>
                    """)));
                return WebPage.Render(http, "Transfer history", Html.Of($"""
                    {Html.Join(errors.Select(error => WebPage.Notice(error, error: true)))}
                    <form method="get" action="{WebAdmin.Root}/transfers" class="stacked" role="search">
                    <label for="user">User (exact name)</label><input id="user" name="user" value="{user}" maxlength="64" autocomplete="off">
                    <label for="path">Path contains</label><input id="path" name="path" value="{path}" maxlength="1024" autocomplete="off">
                    <label for="from">From (UTC)</label><input id="from" name="from" type="datetime-local" value="{from}">
                    <label for="to">To (UTC)</label><input id="to" name="to" type="datetime-local" value="{to}">
                    <label for="outcome">Outcome</label>
                    <select id="outcome" name="outcome">{Option("", "any", outcome)}{Option("complete", "complete", outcome)}{Option("incomplete", "incomplete", outcome)}</select>
                    <button type="submit">Search</button>
                    </form>
                    <p>The newest {Limit} transfers this node logged that match, newest first (white space in paths is written <code>_</code> in the log).</p>
                    <div class="scroll"><table id="transfers-found">
                    <thead><tr><th scope="col">Finished</th><th scope="col">User</th><th scope="col">Client</th><th scope="col">Direction</th><th scope="col">Path</th><th scope="col">Bytes</th><th scope="col">Took</th><th scope="col">Outcome</th></tr></thead>
                    <tbody>{rows}</tbody>
                    </table></div>
                    """), errors.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
            })
            .RequireAuthorization(WebAuthentication.Read);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>A time from the form (a datetime-local field, taken as UTC), or null when empty or not a time (then said in <paramref name="errors"/>).</summary>
    private static DateTimeOffset? Time(string? text, string field, List<string> errors)
    {
        if (Blank(text) is not { } value)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors.Add($"{field}: '{value}' is not a time; write for example 2026-12-07T08:00.");
        return null;
    }

    private static Html Option(string value, string label, string? chosen) =>
        (chosen ?? string.Empty) == value ? Html.Of($"""<option value="{value}" selected>{label}</option>""") : Html.Of($"""<option value="{value}">{label}</option>""");
}
