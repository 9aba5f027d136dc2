namespace Gatehouse.Protocol.Configuration;

/// <summary>
/// Whether a data connection's TLS must resume the session of its own control connection, which proves that it comes
/// from the client that logged in and not from another program at the same address.
/// </summary>
public enum DataTlsResumption
{
    /// <summary>Any data connection from the client's address is taken (transfers that did not resume are watched for races).</summary>
    Optional,

    /// <summary>Once a data connection of the session has resumed the control session, every later one must.</summary>
    Sticky,

    /// <summary>Every data connection must resume the control session.</summary>
    Required,
}
