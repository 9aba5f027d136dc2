using System.CommandLine;
using System.Text.Json;
using Gatehouse.Accounts.Audit;

namespace Gatehouse.Cli;

/// <summary>gatehouse audit verify|export: checks the audit trail's hash chain and writes it out as JSON lines.</summary>
internal static class AuditCommands
{
    public static Command Create()
    {
        var command = new Command("audit", "Check and export the audit trail of administrative changes.");
        command.Add(Verify());
        command.Add(Export());
        return command;
    }

    private static Command Verify()
    {
        var config = CommonOptions.Config();
        var command = new Command("verify", "Check that no record was removed or altered; prints the number of records and the last hash (keep it to detect removal of the newest records later).") { config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var result = await store.Audit.VerifyAsync(cancellationToken).ConfigureAwait(false);
            if (result.Problem is { } problem)
            {
                return CliStore.Fail($"The audit trail is broken: {problem}. The {result.Records} record(s) before it are intact (last hash {result.LastHash}).");
            }

            Console.WriteLine($"The audit trail is intact: {result.Records} record(s), last hash {result.LastHash}.");
            return 0;
        }));
        return command;
    }

    private static Command Export()
    {
        var config = CommonOptions.Config();
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write to this file instead of standard output." };
        var command = new Command("export", "Write every record as one JSON object per line (JSON lines), oldest first.") { output, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var file = parse.GetValue(output);
            await using var target = file is null ? Console.OpenStandardOutput() : file.Create();
            await foreach (var entry in store.Audit.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await target.WriteAsync(JsonLine(entry), cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Written field by field: no reflection, so the Native AOT build exports the same.</summary>
    private static byte[] JsonLine(AuditEntry entry)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", entry.Sequence);
            json.WriteString("at", entry.At);
            json.WriteString("actor", entry.Actor);
            json.WriteString("origin", entry.Origin);
            json.WriteString("action", entry.Action);
            json.WriteString("target", entry.Target);
            json.WriteString("before", entry.Before);
            json.WriteString("after", entry.After);
            json.WriteString("previousHash", entry.PreviousHash);
            json.WriteString("hash", entry.Hash);
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.ToArray();
    }
}
