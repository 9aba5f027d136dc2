using System.Net;
using Gatehouse.Protocol.Logging;

namespace Gatehouse.Protocol.Sessions;

/// <summary>A live session at one moment, for the admin API: <see cref="User"/> is null before login.</summary>
public sealed record SessionSnapshot(string Id, string? User, IPEndPoint Client, DateTimeOffset StartedAt, bool Secure, TransferSnapshot? Transfer);

/// <summary>
/// A running transfer: the file (or the listing's opening text), its direction (null for a listing), the bytes moved so
/// far and, when known before it started (a binary download), the bytes it will move in all.
/// </summary>
public sealed record TransferSnapshot(string Path, TransferDirection? Direction, long Bytes, long? Size, DateTimeOffset StartedAt);
