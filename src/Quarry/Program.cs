using System.CommandLine;
using Quarry.Cli;

// The generic host handles SIGTERM and Ctrl+C itself, so the parser must not also claim them.
return await QuarryCommands.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
