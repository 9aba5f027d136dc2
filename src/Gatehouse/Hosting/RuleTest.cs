using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Events;

namespace Gatehouse.Hosting;

/// <summary>One action of a tested rule: "ok", "failed", or "skipped" (file actions, which would change a user's files).</summary>
public sealed record RuleTestStep(int Step, string Action, string Outcome, string Text);

/// <summary>The synthetic event fired and what each action did, in order; the actions after a failed one are not run.</summary>
public sealed record RuleTestResult(ServerEvent Event, IReadOnlyList<RuleTestStep> Steps)
{
    public bool Succeeded => Steps.All(step => step.Outcome != RuleTest.Failed);
}

/// <summary>
/// <c>gatehouse rule test</c> and POST /api/v1/rules/{name}/test: a synthetic event fired at a rule whatever its
/// conditions, each action run once through the server's <see cref="RuleRunner"/> (webhooks, commands, mail), file
/// actions skipped. A pre-upload check gets a small sample file as its last argument, as on a real upload.
/// </summary>
public static class RuleTest
{
    public const string Ok = "ok";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
    public const string DefaultPath = "/gatehouse-rule-test.txt";

    /// <param name="user">The event's user; null: the rule's user condition, else "test".</param>
    /// <param name="path">The event's path; null: <see cref="DefaultPath"/>.</param>
    public static async Task<RuleTestResult> RunAsync(RuleRunner runner, EventRule rule, string? user, string? path, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sample = Path.Combine(Path.GetTempPath(), $"gatehouse-rule-test-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(sample, "Gatehouse rule test\n", cancellationToken).ConfigureAwait(false);
        try
        {
            var happened = new EventFacts(path ?? DefaultPath, new FileInfo(sample).Length)
            {
                User = user ?? rule.Conditions.User ?? "test",
                Client = "127.0.0.1",
                RealPath = sample,
                Reason = "gatehouse rule test",
            }.ToEvent(rule.On, "rule-test", now);
            var steps = new List<RuleTestStep>();
            for (var step = 0; step < rule.Actions.Count && steps.All(done => done.Outcome != Failed); step++)
            {
                var action = rule.Actions[step];
                if (action.Kind is RuleActionKind.MoveTo or RuleActionKind.CopyTo or RuleActionKind.Delete)
                {
                    steps.Add(new RuleTestStep(step + 1, action.ToString(), Skipped, "not run by rule test"));
                    continue;
                }

                var tested = rule.On == EventKind.PreUpload ? new RuleAction { Kind = action.Kind, Target = action.Target, Arguments = [.. action.Arguments, sample], TimeoutSeconds = action.TimeoutSeconds } : action;
                var single = new EventRule { Name = rule.Name, On = rule.On, Actions = [tested] };
                var outcome = (await runner.RunAsync(single, happened, deliveryId: 0, attempt: 1, firstStep: 0, cancellationToken).ConfigureAwait(false))[0];
                steps.Add(new RuleTestStep(step + 1, action.ToString(), outcome.Succeeded ? Ok : Failed, outcome.Text));
            }

            return new RuleTestResult(happened, steps);
        }
        finally
        {
            File.Delete(sample);
        }
    }
}
