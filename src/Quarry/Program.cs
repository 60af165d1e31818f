using System.CommandLine;
using Quarry.Cli;

var parse = QuarryCommands.Create().Parse(args);
if (parse.Errors.Count > 0)
{
    // One line and exit code 2, like a bad setting; the help text is one --help away. A missing subcommand is
    // reported only when nothing more specific was wrong.
    var error = parse.Errors.OrderBy(e => parse.CommandResult.Command.Subcommands.Count > 0 && e.Message.StartsWith("Required command", StringComparison.Ordinal)).First();
    Console.Error.WriteLine($"error: {error.Message} (see '{parse.CommandResult.Command.Name} --help')");

    return 2;
}

// The generic host handles SIGTERM and Ctrl+C itself, so the parser must not also claim them.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
