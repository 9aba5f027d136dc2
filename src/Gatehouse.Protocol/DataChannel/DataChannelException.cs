namespace Gatehouse.Protocol.DataChannel;

/// <summary>The data connection could not be opened; the message is the text of the 425 reply.</summary>
public sealed class DataChannelException(string message, Exception? inner = null) : Exception(message, inner);
