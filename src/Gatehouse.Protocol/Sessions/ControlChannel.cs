using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Protocol.Parsing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Tls;

namespace Gatehouse.Protocol.Sessions;

public enum ControlReadKind
{
    Line,
    TooLong,
    InvalidEncoding,
    Closed,
}

public readonly record struct ControlRead(ControlReadKind Kind, string Text);

/// <summary>
/// The control connection as lines in and replies out, with the one place where it turns into TLS.
/// Reads come from one loop; writes may come from the loop and from a running transfer, so they are serialised.
/// </summary>
public sealed class ControlChannel : IAsyncDisposable
{
    private const int ReadBufferSize = 4096;
    private readonly Stream _transport;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ControlLineFramer _framer = new();
    private Stream _stream;
    private PipeReader _reader;
    private long _bufferedAfterLastLine;

    public ControlChannel(Stream transport)
    {
        _transport = transport;
        _stream = transport;
        _reader = CreateReader(transport);
    }

    public SslStream? Tls { get; private set; }

    /// <summary>The certificate the control connection presented; its data connections present the same one.</summary>
    public SslStreamCertificateContext? Certificate { get; private set; }

    public bool IsSecure => Tls is not null;

    /// <summary>The protocol and cipher, or "plain text", for STAT.</summary>
    public string Security => Tls is { } tls ? $"{tls.SslProtocol} ({tls.NegotiatedCipherSuite})" : "plain text";

    /// <summary>SHA-256 of the certificate the client presented, upper-case hex.</summary>
    public string? ClientCertificateFingerprint => Tls?.RemoteCertificate?.GetCertHashString(HashAlgorithmName.SHA256);

    public async ValueTask<ControlRead> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var frame = _framer.TryRead(ref buffer, out var line);
            ControlRead? read = frame switch
            {
                FrameResult.Line => ControlLineDecoder.TryDecode(line, out var text)
                    ? new ControlRead(ControlReadKind.Line, text)
                    : new ControlRead(ControlReadKind.InvalidEncoding, string.Empty),
                FrameResult.TooLong => new ControlRead(ControlReadKind.TooLong, string.Empty),
                _ => null,
            };
            _bufferedAfterLastLine = buffer.Length;
            if (read is not null)
            {
                // Only the line is examined: pipelined commands behind it must be read without waiting for more bytes.
                _reader.AdvanceTo(buffer.Start);
                return read.Value;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);

            if (result.IsCompleted || result.IsCanceled)
            {
                return new ControlRead(ControlReadKind.Closed, string.Empty);
            }
        }
    }

    public async ValueTask WriteAsync(FtpReply reply, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(reply.Format());
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Explicit TLS after a 234 reply. Bytes the client sent after AUTH and before the handshake would be
    /// plain text that an attacker could have injected, so their presence is an error, never input.
    /// </summary>
    public async Task UpgradeAsync(TlsCertificateProvider certificates, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_bufferedAfterLastLine > 0)
        {
            throw new PlaintextInjectionException();
        }

        await _reader.CompleteAsync().ConfigureAwait(false);
        await StartTlsAsync(certificates, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Implicit TLS: the handshake comes before anything else.</summary>
    public async Task StartTlsAsync(TlsCertificateProvider certificates, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var options = certificates.CreateControlOptions();
        var tls = new SslStream(_transport, leaveInnerStreamOpen: true);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await tls.AuthenticateAsServerAsync(options, deadline.Token).ConfigureAwait(false);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        certificates.ControlConnectionReady(tls);
        Certificate = options.ServerCertificateContext;
        Tls = tls;
        _stream = tls;
        _reader = CreateReader(tls);
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        if (Tls is not null)
        {
            await Tls.DisposeAsync().ConfigureAwait(false);
        }

        await _transport.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
    }

    // Zero-byte reads: the buffer is rented once a command is arriving, so an idle session holds none (nor does
    // SslStream, which passes the zero-byte read down to the socket).
    private static PipeReader CreateReader(Stream stream) =>
        PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: 512, leaveOpen: true, useZeroByteReads: true));
}

public sealed class PlaintextInjectionException() : Exception("Plain-text data followed AUTH TLS.");
