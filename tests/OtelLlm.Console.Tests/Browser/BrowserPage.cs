using Microsoft.Playwright;

namespace OtelLlm.Console.Tests.Browser;

/// <summary>
/// One tab of <see cref="ChromiumFixture"/> per test, on a receiver's console; the test fails on any error the page's
/// scripts throw or log (<see cref="AllowedError"/> names the ones a test expects).
/// </summary>
public abstract class BrowserPage<TReceiver>(TReceiver receiver, ChromiumFixture chromium) : IAsyncLifetime
    where TReceiver : ConsoleReceiverFixture
{
    private readonly List<string> _errors = [];

    protected TReceiver Receiver => receiver;

    protected IPage Page { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Page = await chromium.NewPageAsync(_errors);

    public virtual async Task DisposeAsync()
    {
        await Page.CloseAsync();
        Assert.All(_errors, e => Assert.True(AllowedError(e), e));
    }

    /// <summary>Whether a script error the page logged is one the test expects.</summary>
    protected virtual bool AllowedError(string message) => false;

    protected Task<IResponse?> OpenAsync(string path) => Page.GotoAsync(new Uri(receiver.ConsoleUrl, path).ToString());
}
