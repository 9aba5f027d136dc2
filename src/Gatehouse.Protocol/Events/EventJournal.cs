using System.Buffers;
using System.Text;
using System.Text.Json;
using Gatehouse.Accounts.Events;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// Where a node with the SQLite store queues events first: a file beside the database, one line per event and its
/// rules, appended in one write before the reply that reports the event. The write is not flushed to disk: like a
/// SQLite commit with synchronous=NORMAL, it survives the server being killed but not a power cut. The dispatcher moves
/// the lines into the store's queue in batches (<see cref="MoveAsync"/>), in order, and empties the file once all of it
/// is there. An upload's 226 thus waits for a write to the page cache instead of a transaction on the store's single
/// writer. Lines moved again after a crash between the store's commit and the emptying are not queued twice, the
/// store leaving out deliveries it already holds.
/// </summary>
public sealed class EventJournal : IDisposable
{
    /// <summary>Events queued in one statement: far below SQLite's limit of parameters.</summary>
    private const int MoveBatch = 200;

    private const int ReadBlock = 1 << 20;

    private readonly Lock _appending = new();
    private readonly SemaphoreSlim _moving = new(1, 1);
    private readonly FileStream _file;
    private readonly ILogger _logger;

    /// <summary>Bytes at the start of the file already in the store.</summary>
    private long _moved;

    private int _held;

    public EventJournal(string path, ILogger logger)
    {
        _logger = logger;

        try
        {
            // No buffer: each append is one write(2), in the kernel before the reply is sent. Not shared: a second
            // server on this data directory would write over this one's lines.
            _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"the event journal {path} cannot be opened ({ex.Message}); if another Gatehouse server runs on this DataDirectory, stop it or give this one a DataDirectory of its own (a SQLite account store serves one server)",
                ex);
        }

        var (lines, whole) = ScanLines();
        if (whole < _file.Length)
        {
            // The last line was being written when the server was killed: its event had not been reported to anyone.
            EventLog.JournalLineSkipped(logger, whole, "it was cut off when the server stopped");
            _file.SetLength(whole);
        }

        _file.Position = whole;
        _held = lines;
    }

    /// <summary>Events appended and not yet in the store.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <exception cref="IOException">The file could not be written (disk full); nothing of the event was kept.</exception>
    public void Append(ServerEvent happened, IReadOnlyCollection<string> rules)
    {
        var line = Encode(happened, rules);
        lock (_appending)
        {
            var start = _file.Position;
            try
            {
                _file.Write(line.WrittenSpan);
            }
            catch (IOException)
            {
                // A part written would spoil the next line: cut it off.
                _file.SetLength(start);
                _file.Position = start;
                throw;
            }

            Interlocked.Increment(ref _held);
        }
    }

    /// <summary>Queues every line not yet in the store, in order; empties the file when all of it is there.</summary>
    /// <returns>How many events were queued.</returns>
    public async Task<int> MoveAsync(IEventStore store, CancellationToken cancellationToken)
    {
        await _moving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var queued = 0;
            while (true)
            {
                long end;
                lock (_appending)
                {
                    end = _file.Position;
                    if (end == _moved)
                    {
                        if (end > 0)
                        {
                            _file.SetLength(0);
                            _file.Position = 0;
                            _moved = 0;
                        }

                        return queued;
                    }
                }

                queued += await MoveBlockAsync(store, end, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _moving.Release();
        }
    }

    public void Dispose()
    {
        _file.Dispose();
        _moving.Dispose();
    }

    /// <summary>Queues the whole lines from <see cref="_moved"/> up to <paramref name="end"/>, at most <see cref="ReadBlock"/> of them.</summary>
    private async Task<int> MoveBlockAsync(IEventStore store, long end, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(end - _moved, ReadBlock));
        try
        {
            var read = RandomAccess.Read(_file.SafeFileHandle, buffer.AsSpan(0, (int)Math.Min(end - _moved, buffer.Length)), _moved);
            var lines = new List<(QueuedEvent? Event, int Length)>();
            var offset = 0;
            while (offset < read && Array.IndexOf(buffer, (byte)'\n', offset, read - offset) is var newline and >= 0)
            {
                lines.Add((Decode(buffer.AsSpan(offset, newline - offset), _moved + offset), newline + 1 - offset));
                offset = newline + 1;
            }

            if (lines.Count == 0)
            {
                // No event is near this long: the file was damaged.
                EventLog.JournalLineSkipped(_logger, _moved, "it does not end within 1 MiB");
                _moved += read;
                return 0;
            }

            var queued = 0;
            foreach (var chunk in lines.Chunk(MoveBatch))
            {
                var events = chunk.Where(line => line.Event is not null).Select(line => line.Event!).ToList();
                await store.EnqueueAsync(events, cancellationToken).ConfigureAwait(false);
                _moved += chunk.Sum(line => line.Length);
                Interlocked.Add(ref _held, -chunk.Length);
                queued += events.Count;
            }

            return queued;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ArrayBufferWriter<byte> Encode(ServerEvent happened, IReadOnlyCollection<string> rules)
    {
        var line = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(line))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("rules");
            foreach (var rule in rules)
            {
                writer.WriteStringValue(rule);
            }

            writer.WriteEndArray();
            writer.WritePropertyName("event");
            writer.WriteRawValue(EventJson.Write(happened), skipInputValidation: true);
            writer.WriteEndObject();
        }

        line.Write("\n"u8);
        return line;
    }

    private QueuedEvent? Decode(ReadOnlySpan<byte> line, long position)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var rules = root.GetProperty("rules").EnumerateArray().Select(rule => rule.GetString() ?? string.Empty).ToList();
            return new QueuedEvent(EventJson.ReadEvent(root.GetProperty("event").GetRawText()), rules);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or NotSupportedException or ArgumentException)
        {
            EventLog.JournalLineSkipped(_logger, position, $"it is not an event ({ex.Message}): {Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)])}");
            return null;
        }
    }

    /// <returns>The whole lines in the file, and where the last of them ends.</returns>
    private (int Lines, long WholeLength) ScanLines()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var (lines, whole) = (0, 0L);
            for (long offset = 0, read; (read = RandomAccess.Read(_file.SafeFileHandle, buffer, offset)) > 0; offset += read)
            {
                var block = buffer.AsSpan(0, (int)read);
                lines += block.Count((byte)'\n');
                if (block.LastIndexOf((byte)'\n') is var last and >= 0)
                {
                    whole = offset + last + 1;
                }
            }

            return (lines, whole);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
