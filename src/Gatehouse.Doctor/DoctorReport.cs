namespace Gatehouse.Doctor;

public enum StepVerdict
{
    Ok,
    Warning,
    Failed,
    Skipped,
}

/// <summary>One thing the doctor tried, how it went, and how long it took.</summary>
public sealed record DoctorStep(string Name, StepVerdict Verdict, string Detail, TimeSpan Elapsed);

/// <summary>A confirmed problem, in one sentence, with its fix in one more.</summary>
public sealed record DoctorFinding(string Problem, string Fix);

/// <summary>What a doctor run found: its steps in order, and the findings they confirmed.</summary>
public sealed class DoctorReport
{
    private readonly List<DoctorStep> _steps = [];
    private readonly List<DoctorFinding> _findings = [];

    public IReadOnlyList<DoctorStep> Steps => _steps;

    public IReadOnlyList<DoctorFinding> Findings => _findings;

    /// <summary>Called as each step completes, so a slow step is visible while it runs.</summary>
    public event Action<DoctorStep>? StepCompleted;

    public bool AllWell => _findings.Count == 0;

    /// <summary>
    /// The finding that data connections were refused for not resuming the control connection's TLS session. It
    /// explains what follows (no passive method working, vsftpd ending the control connection), which is therefore
    /// not reported again as findings of their own: one cause, one finding.
    /// </summary>
    internal DoctorFinding? TlsSessionRefusal { get; set; }

    public void Add(DoctorStep step)
    {
        _steps.Add(step);
        StepCompleted?.Invoke(step);
    }

    public void Find(DoctorFinding finding)
    {
        if (!_findings.Contains(finding))
        {
            _findings.Add(finding);
        }
    }
}
