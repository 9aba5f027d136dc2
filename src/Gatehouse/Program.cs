using System.CommandLine;
using Gatehouse.Cli;

var root = new RootCommand("Gatehouse: a secure FTP/FTPS file-exchange server that works through NAT and firewalls.")
{
    ServeCommand.Create(),
    UserCommands.Create(),
    GroupCommands.Create(),
    FolderCommands.Create(),
    PermCommands.Create(),
    BanCommands.Create(),
    RuleCommands.Create(),
    EventCommands.Create(),
    MaintenanceCommands.Quota(),
    MaintenanceCommands.Retention(),
    LdapCommands.Create(),
    ConfigCommands.Create(),
    DrainCommand.Create(),
    DoctorCommand.Create(),
    AdminCommands.Create(),
    ApiKeyCommands.Create(),
    AuditCommands.Create(),
};

// SIGINT/SIGTERM belong to the host, which drains transfers for Limits:ShutdownGraceSeconds;
// System.CommandLine's own handler would otherwise kill the process after two seconds.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
