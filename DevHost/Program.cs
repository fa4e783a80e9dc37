using Engage.DevHost;

DevHostApp.Create(args).Run();
