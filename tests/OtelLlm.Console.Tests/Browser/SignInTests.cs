using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OtelLlm.Console.Tests.Browser;

/// <summary>The console behind API keys: it asks for a key with the read scope before it shows anything.</summary>
public sealed class SignInTests(KeyedConsoleReceiverFixture receiver, ChromiumFixture chromium)
    : IClassFixture<KeyedConsoleReceiverFixture>, IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private readonly List<string> _errors = [];
    private IPage _page = null!;

    public async Task InitializeAsync() => _page = await chromium.NewPageAsync(_errors);

    public async Task DisposeAsync()
    {
        await _page.CloseAsync();

        // A refused key is answered 401/403 by the API, which the browser reports as failed loads; nothing else may fail.
        Assert.All(_errors, e => Assert.Matches("status of 40[13]", e));
    }

    private async Task SignInAsync(string key)
    {
        await _page.GetByTestId("signin-key").FillAsync(key);
        await _page.GetByTestId("signin-submit").ClickAsync();
    }

    [Fact]
    public async Task WithoutAKey_TheSignInPageComesFirst_ThenTheRequestedView()
    {
        await _page.GotoAsync(new Uri(receiver.ConsoleUrl, "/calls?provider=anthropic").ToString());
        await Expect(_page).ToHaveURLAsync(new Regex("/signin\\?next="));
        await Expect(_page.GetByTestId("signin-form")).ToBeVisibleAsync();
        await ChromiumFixture.ScreenshotAsync(_page, "signin");

        await SignInAsync("not-a-key");
        await Expect(_page.GetByTestId("signin-message")).ToHaveTextAsync("This key is not one the receiver knows.");

        // A key without the read scope cannot open the console, even though it is valid.
        await SignInAsync(KeyedConsoleReceiverFixture.Feedback);
        await Expect(_page.GetByTestId("signin-message")).ToContainTextAsync("no read scope");

        await SignInAsync(KeyedConsoleReceiverFixture.Read);
        await Expect(_page).ToHaveURLAsync(new Regex("/calls\\?provider=anthropic$"));
        await Expect(_page.GetByTestId("calls-table").Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(_page.Locator("#who")).ToContainTextAsync("project alpha");

        // A read-only key sees the call but may not write feedback.
        await _page.GetByTestId("calls-table").Locator("tbody tr").First.ClickAsync();
        await Expect(_page.GetByTestId("thumbs-up")).ToBeDisabledAsync();

        await _page.GetByTestId("sign-out").ClickAsync();
        await Expect(_page).ToHaveURLAsync(new Regex("/signin"));
        await _page.GotoAsync(new Uri(receiver.ConsoleUrl, "/").ToString());
        await Expect(_page.GetByTestId("signin-form")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task KeyWithFeedbackScope_WritesFeedbackFromTheCallPage()
    {
        var help = receiver.Seed["order-help"];
        await _page.GotoAsync(new Uri(receiver.ConsoleUrl, $"/calls/{help.TraceId}/{help.SpanId}").ToString());
        await SignInAsync(KeyedConsoleReceiverFixture.All);
        await Expect(_page.GetByTestId("output-message")).ToContainTextAsync(help.Answer!);
        await _page.GetByTestId("thumbs-up").ClickAsync();
        await Expect(_page.GetByTestId("feedback-status")).ToHaveTextAsync("Saved: thumbs up.");
        await SeedData.WaitForAsync(receiver, $"SELECT concat(Project, '|', toString(Value)) FROM llm_feedback WHERE TraceId = '{help.TraceId}' AND SpanId = '{help.SpanId}'", "alpha|1");
    }
}
