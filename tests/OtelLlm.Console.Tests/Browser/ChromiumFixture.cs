using Microsoft.Playwright;
using OtelLlm.TestSupport;

namespace OtelLlm.Console.Tests.Browser;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, installed by the test script; Playwright's own browser download is not
/// used) driven by Playwright, headless, with a fresh profile and no background traffic.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _profile = Path.Combine(Path.GetTempPath(), "otelllm-console-chromium-" + Guid.NewGuid().ToString("N")[..8]);
    private IPlaywright? _playwright;

    public IBrowserContext Context { get; private set; } = null!;

    /// <summary>Where screenshots of the pages are kept (<c>artifacts/console</c>).</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(RepoPaths.Combine("artifacts", "console")).FullName;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"No Chromium at {ChromiumPath}: install Debian's package (apt-get install -y chromium); ./test.sh does.");
        }

        _playwright = await Playwright.CreateAsync();
        Context = await _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = "en-US",
            TimezoneId = "UTC",
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        });

        // Generous for a busy 2-core machine; every wait is for a condition, never a fixed time.
        Context.SetDefaultTimeout(30_000);
        Context.SetDefaultNavigationTimeout(60_000);
    }

    public async Task DisposeAsync()
    {
        if (Context is not null)
        {
            await Context.CloseAsync();
        }

        _playwright?.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be writing its profile as it exits; the folder is unique to this run.
        }
    }

    /// <summary>A new tab that fails the test on any error the page's scripts throw or log.</summary>
    public async Task<IPage> NewPageAsync(List<string> errors)
    {
        var page = await Context.NewPageAsync();
        page.PageError += (_, error) => errors.Add("page error: " + error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add("console error: " + message.Text);
            }
        };
        return page;
    }

    /// <summary>Keeps a full-page screenshot of what the page shows now.</summary>
    public static Task ScreenshotAsync(IPage page, string name)
        => page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, name + ".png"), FullPage = true });
}
