using System.CommandLine;
using Gatehouse.Cli;

var root = new RootCommand("Gatehouse: a secure FTP/FTPS file-exchange server that works through NAT and firewalls.")
{
    ServeCommand.Create(),
    UserCommands.Create(),
    ConfigCommands.Create(),
};
return await root.Parse(args).InvokeAsync();
