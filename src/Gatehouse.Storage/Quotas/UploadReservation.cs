namespace Gatehouse.Storage.Quotas;

/// <summary>One upload's claim on a ledger; released when the upload ends, committed or not.</summary>
public sealed class UploadReservation(QuotaLedger ledger, QuotaLimits limits, bool newFile)
{
    private int _released;

    public QuotaLimits Limits { get; } = limits;

    public bool NewFile { get; } = newFile;

    public long Bytes { get; private set; }

    public void Reserve(long bytes)
    {
        ledger.Reserve(this, bytes);
        Bytes += bytes;
    }

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            ledger.Release(this);
        }
    }
}
