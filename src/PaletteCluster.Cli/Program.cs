using PaletteCluster.Cli;

return CliErrors.Invoke(PaletteCommandLine.CreateRoot(), args);
