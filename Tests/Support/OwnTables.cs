using Engage.Functions.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Support;

/// <summary>The end of a test that ran on a service graph of its own (<see cref="TestServices.Create"/>).</summary>
public static class OwnTables
{
    /// <summary>Deletes every table of the graph (all of them the test's own), then disposes the graph.</summary>
    public static async Task DisposeAsync(ServiceProvider services)
    {
        var storage = services.GetRequiredService<EngageStorage>();
        foreach (var table in storage.Names.Tables)
        {
            await storage.TableService.DeleteTableAsync(table);
        }

        await services.DisposeAsync();
    }
}
