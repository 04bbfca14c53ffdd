using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using OtelLlm.Receiver;
using OtelLlm.Receiver.Transport.Auth;

namespace OtelLlm.Reliability.Tests;

public sealed class ApiKeyAuthenticatorTests
{
    private static readonly ApiKeyAuthenticator s_auth = new([
        new ApiKeyEntry { Key = "k-alpha-123", Project = "alpha" },
        new ApiKeyEntry { Key = "k-beta-456", Project = "beta" },
    ]);

    [Theory]
    [InlineData("Authorization", "Bearer k-alpha-123", "alpha")]
    [InlineData("Authorization", "bearer k-beta-456", "beta")]
    [InlineData("x-api-key", "k-beta-456", "beta")]
    public void TryAuthenticate_ValidKey_NamesItsProject(string header, string value, string expected)
    {
        Assert.True(s_auth.TryAuthenticate(Request(header, value), out var project, out var error));
        Assert.Equal(expected, project);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("Authorization", "Bearer k-alpha-12")]
    [InlineData("Authorization", "Bearer k-alpha-1234")]
    [InlineData("Authorization", "Basic k-alpha-123")]
    [InlineData("x-api-key", "")]
    [InlineData("x-other", "k-alpha-123")]
    public void TryAuthenticate_MissingOrWrongKey_Refuses(string header, string value)
    {
        Assert.False(s_auth.TryAuthenticate(Request(header, value), out var project, out var error));
        Assert.Equal(string.Empty, project);
        Assert.False(string.IsNullOrEmpty(error));
        Assert.DoesNotContain("k-alpha", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoKeysOnPublicAddress_RefusesToStart()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ApiKeySources.Create(new AuthOptions(), new ReceiverOptions { ListenAddress = "0.0.0.0" }, ".", NullLogger.Instance));
        Assert.Contains("Auth__Mode=None", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoKeysOnLoopback_AcceptsUnderDefaultProject()
    {
        var auth = ApiKeySources.Create(new AuthOptions(), new ReceiverOptions { ListenAddress = "127.0.0.1", DefaultProject = "dflt" }, ".", NullLogger.Instance);
        Assert.True(auth.TryAuthenticate(new DefaultHttpContext(), out var project, out _));
        Assert.Equal("dflt", project);
    }

    [Fact]
    public void Create_ModeNoneOnPublicAddress_AcceptsEverything()
    {
        var auth = ApiKeySources.Create(new AuthOptions { Mode = AuthMode.None }, new ReceiverOptions { ListenAddress = "0.0.0.0" }, ".", NullLogger.Instance);
        Assert.True(auth.TryAuthenticate(new DefaultHttpContext(), out var project, out _));
        Assert.Equal("default", project);
    }

    [Fact]
    public void Load_KeysStringAndFile_AllMapToTheirProjects()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, ["# team keys", "file-key-1 payments", "", "  file-key-2   search  "]);
            var options = new AuthOptions { Keys = "env-key=ops; env-key-2=ml", KeysFile = file };
            options.ApiKeys.Add(new ApiKeyEntry { Key = "cfg-key", Project = "web" });
            var auth = ApiKeySources.Create(options, new ReceiverOptions { ListenAddress = "0.0.0.0" }, ".", NullLogger.Instance);

            foreach (var (key, expected) in new[] { ("cfg-key", "web"), ("env-key", "ops"), ("env-key-2", "ml"), ("file-key-1", "payments"), ("file-key-2", "search") })
            {
                Assert.True(auth.TryAuthenticate(Request("x-api-key", key), out var project, out _));
                Assert.Equal(expected, project);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static DefaultHttpContext Request(string header, string value)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[header] = value;
        return context;
    }
}
