using System.CommandLine;

namespace Quarry.Cli;

/// <summary>The command tree of the <c>quarry</c> executable.</summary>
internal static class QuarryCommands
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Quarry: machine-learning services (recommendations, predictions, training jobs) in one program.");
        root.Add(ServeCommand.Create());
        root.Add(MoviesCommands.Import());
        root.Add(TrainCommand.Create());
        root.Add(MineCommand.Create());
        root.Add(MoviesCommands.Eval());
        root.Add(DatasetsCommand.Create());
        root.Add(ClassifyCommand.Create());
        root.Add(WorkerCommand.Create());
        root.Add(ProbeCommand.Create());
        return root;
    }
}
