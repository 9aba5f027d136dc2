namespace Gatehouse.Doctor.Client;

/// <summary>
/// A reply as the doctor reads it from a server: the three-digit code and the text of each line (the code and its
/// separator taken off). The doctor's own type, so that it shares nothing with the server it examines.
/// </summary>
public sealed record ServerReply(int Code, IReadOnlyList<string> Lines);
