using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace OtelLlm.TestSupport;

/// <summary>Runs the interop scripts in <c>tests/js</c> with <c>node</c>.</summary>
public static class NodeScript
{
    /// <summary>
    /// Runs <paramref name="script"/> with <paramref name="args"/>, fails the test if it exits non-zero (with its
    /// stderr in the message) and returns the JSON object it printed.
    /// </summary>
    public static async Task<JsonObject> RunAsync(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoPaths.Combine("tests", "js"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"node {script} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        return JsonNode.Parse(await stdout)!.AsObject();
    }
}
