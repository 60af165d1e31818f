using Quarry;

return Launcher.Run(args);
