using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gatehouse.Accounts.Events;

/// <summary>Events and rule definitions as JSON, by generated code (the Native AOT build has no reflection-based serializer).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ServerEvent))]
[JsonSerializable(typeof(RuleDefinition))]
[JsonSerializable(typeof(WebhookDocument))]
public sealed partial class EventJson : JsonSerializerContext
{
    public static string Write(ServerEvent happened) => JsonSerializer.Serialize(happened, Default.ServerEvent);

    public static ServerEvent ReadEvent(string json) =>
        JsonSerializer.Deserialize(json, Default.ServerEvent) ?? throw new JsonException("The queued event is empty.");
}

/// <summary>What the rules table keeps as JSON beside the rule's name, event and state.</summary>
public sealed class RuleDefinition
{
    public RuleConditions Conditions { get; init; } = new();

    public IReadOnlyList<RuleAction> Actions { get; init; } = [];

    public string? Cron { get; init; }
}

/// <summary>The body of a webhook request.</summary>
public sealed class WebhookDocument
{
    /// <summary>The queue's number for this rule's delivery of the event (gatehouse event show ID); the same on every retry.</summary>
    public required long DeliveryId { get; init; }

    public required string Rule { get; init; }

    public required int Attempt { get; init; }

    public required ServerEvent Event { get; init; }
}
