using Engage.DevHost;
using Engage.Functions;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "host.json"), optional: false)
    .AddEnvironmentVariables();
builder.AddEngage();
builder.AddDevHost();

var app = builder.Build();
app.MapFunctions();
app.Run();

/// <summary>Entry point type, for tests that start DevHost in-process.</summary>
public partial class Program;
