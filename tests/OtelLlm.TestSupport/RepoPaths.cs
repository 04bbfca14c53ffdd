namespace OtelLlm.TestSupport;

/// <summary>Locates files of the repository from a running test.</summary>
public static class RepoPaths
{
    /// <summary>The repository root: the nearest folder above the test binary that holds <c>OtelLlm.slnx</c>.</summary>
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("OTELLLM_REPO_ROOT");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OtelLlm.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (OtelLlm.slnx) above the test binaries; set OTELLLM_REPO_ROOT.");
    }
}
