namespace Engage.Tests.Support;

/// <summary>Finds files of the repository from the test's output folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EngageFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EngageFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}
