namespace Gatehouse.Protocol.Events;

/// <summary>What one action did, in a line for the log and for gatehouse event show.</summary>
public sealed record ActionOutcome(bool Succeeded, string Text)
{
    public static ActionOutcome Success(string text) => new(true, text);

    public static ActionOutcome Failure(string text) => new(false, text);
}
