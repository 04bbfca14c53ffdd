using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace OtelLlm.Console.Tests.Browser;

/// <summary>The console behind API keys: it asks for a key with the read scope before it shows anything.</summary>
public sealed class SignInTests(KeyedConsoleReceiverFixture receiver, ChromiumFixture chromium)
    : BrowserPage<KeyedConsoleReceiverFixture>(receiver, chromium), IClassFixture<KeyedConsoleReceiverFixture>, IClassFixture<ChromiumFixture>
{
    // A refused key is answered 401/403 by the API, which the browser reports as failed loads; nothing else may fail.
    protected override bool AllowedError(string message) => Regex.IsMatch(message, "status of 40[13]");

    private async Task SignInAsync(string key)
    {
        await Page.GetByTestId("signin-key").FillAsync(key);
        await Page.GetByTestId("signin-submit").ClickAsync();
    }

    [Fact]
    public async Task WithoutAKey_TheSignInPageComesFirst_ThenTheRequestedView()
    {
        await OpenAsync("/calls?provider=anthropic");
        await Expect(Page).ToHaveURLAsync(new Regex("/signin\\?next="));
        await Expect(Page.GetByTestId("signin-form")).ToBeVisibleAsync();
        await ChromiumFixture.ScreenshotAsync(Page, "signin");

        await SignInAsync("not-a-key");
        await Expect(Page.GetByTestId("signin-message")).ToHaveTextAsync("This key is not one the receiver knows.");

        // A key without the read scope cannot open the console, even though it is valid.
        await SignInAsync(KeyedConsoleReceiverFixture.Feedback);
        await Expect(Page.GetByTestId("signin-message")).ToContainTextAsync("no read scope");

        await SignInAsync(KeyedConsoleReceiverFixture.Read);
        await Expect(Page).ToHaveURLAsync(new Regex("/calls\\?provider=anthropic$"));
        await Expect(Page.GetByTestId("calls-table").Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(Page.Locator("#who")).ToContainTextAsync("project alpha");

        // A read-only key sees the call but may not write feedback.
        await Page.GetByTestId("calls-table").Locator("tbody tr").First.ClickAsync();
        await Expect(Page.GetByTestId("thumbs-up")).ToBeDisabledAsync();

        await Page.GetByTestId("sign-out").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/signin"));
        await OpenAsync("/");
        await Expect(Page.GetByTestId("signin-form")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task KeyWithFeedbackScope_WritesFeedbackFromTheCallPage()
    {
        var help = Receiver.Seed["order-help"];
        await OpenAsync($"/calls/{help.TraceId}/{help.SpanId}");
        await SignInAsync(KeyedConsoleReceiverFixture.All);
        await Expect(Page.GetByTestId("output-message")).ToContainTextAsync(help.Answer!);
        await Page.GetByTestId("thumbs-up").ClickAsync();
        await Expect(Page.GetByTestId("feedback-status")).ToHaveTextAsync("Saved: thumbs up.");
        await SeedData.WaitForAsync(Receiver, $"SELECT concat(Project, '|', toString(Value)) FROM llm_feedback WHERE TraceId = '{help.TraceId}' AND SpanId = '{help.SpanId}'", "alpha|1");
    }
}
