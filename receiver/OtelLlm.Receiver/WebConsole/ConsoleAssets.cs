using System.Reflection;
using System.Security.Cryptography;

namespace OtelLlm.Receiver.WebConsole;

/// <summary>One file of the console: its bytes, media type and entity tag.</summary>
internal sealed record ConsoleAsset(byte[] Content, string ContentType, string ETag);

/// <summary>
/// The console's files, embedded in the receiver assembly (<c>Console/wwwroot</c>, resource names <c>console/…</c>), so
/// <c>dotnet run</c>, a published build and the container serve the same pages with nothing fetched from anywhere.
/// Read once; they are a few tens of kilobytes.
/// </summary>
internal sealed class ConsoleAssets
{
    private const string Prefix = "console/";

    private readonly Dictionary<string, ConsoleAsset> _files = new(StringComparer.Ordinal);

    public ConsoleAssets()
        : this(typeof(ConsoleAssets).Assembly)
    {
    }

    public ConsoleAssets(Assembly assembly)
    {
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var path = "/" + name[Prefix.Length..].Replace('\\', '/');
            _files[path] = new ConsoleAsset(content, ContentType(path), "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\"");
        }

        if (!_files.ContainsKey("/index.html"))
        {
            throw new InvalidOperationException("The console's files are not embedded in the receiver (no console/index.html resource).");
        }
    }

    /// <summary>The paths of every file, from the root (<c>/index.html</c>, <c>/js/app.js</c>, …).</summary>
    public IEnumerable<string> Paths => _files.Keys;

    /// <summary>The page every console route answers with; the script reads the route from the URL.</summary>
    public ConsoleAsset Index => _files["/index.html"];

    public bool TryGet(string path, out ConsoleAsset asset) => _files.TryGetValue(path, out asset!);

    private static string ContentType(string path) => Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };
}
