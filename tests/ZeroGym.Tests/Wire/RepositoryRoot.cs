namespace ZeroGym.Tests.Wire;

/// <summary>The checkout the tests run from: the first folder above the test binaries that holds ZeroGym.slnx.</summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "ZeroGym.slnx"))) return folder.FullName;
        }

        throw new InvalidOperationException(
            $"expected ZeroGym.slnx in a folder above the test binaries ({AppContext.BaseDirectory}), found none");
    }
}
