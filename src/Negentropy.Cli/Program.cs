using Negentropy.Cli;

return NegentropyApp.Run(args);
