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
    /// A finding that already explains why the server ends the control connection (it refused a data connection and
    /// closes, as vsftpd does), so that the closing is not reported as a second finding.
    /// </summary>
    internal DoctorFinding? ExplainsClosing { get; set; }

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
