using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using OtelLlm.Receiver.Admission;
using OtelLlm.Receiver.Configuration;

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
        Assert.True(s_auth.TryAuthenticate(Request(header, value), out var caller, out var error));
        Assert.Equal(expected, caller.Project);
        Assert.Equal(ApiScopes.Ingest, caller.Scopes);
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
        Assert.False(s_auth.TryAuthenticate(Request(header, value), out var caller, out var error));
        Assert.Null(caller.Project);
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
        Assert.True(auth.TryAuthenticate(new DefaultHttpContext(), out var caller, out _));
        Assert.Equal("dflt", caller.Project);
        Assert.Equal(ApiScopes.All, caller.Scopes);
    }

    [Fact]
    public void Create_ModeNoneOnPublicAddress_AcceptsEverything()
    {
        var auth = ApiKeySources.Create(new AuthOptions { Mode = AuthMode.None }, new ReceiverOptions { ListenAddress = "0.0.0.0" }, ".", NullLogger.Instance);
        Assert.True(auth.TryAuthenticate(new DefaultHttpContext(), out var caller, out _));
        Assert.Equal("default", caller.Project);
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
                Assert.True(auth.TryAuthenticate(Request("x-api-key", key), out var caller, out _));
                Assert.Equal(expected, caller.Project);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Load_Scopes_FromEveryKeySource()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, ["file-plain payments", "file-read payments read,admin"]);
            var options = new AuthOptions { Keys = "env-fb=web:feedback; env-all=ops:ingest+feedback+read+admin; env-plain=ops", KeysFile = file };
            options.ApiKeys.Add(new ApiKeyEntry { Key = "cfg-read", Project = "web", Scopes = "Read" });
            var auth = ApiKeySources.Create(options, new ReceiverOptions { ListenAddress = "0.0.0.0" }, ".", NullLogger.Instance);

            foreach (var (key, expected) in new[]
            {
                ("file-plain", ApiScopes.Ingest),
                ("file-read", ApiScopes.Read | ApiScopes.Admin),
                ("env-fb", ApiScopes.Feedback),
                ("env-all", ApiScopes.All),
                ("env-plain", ApiScopes.Ingest),
                ("cfg-read", ApiScopes.Read),
            })
            {
                Assert.True(auth.TryAuthenticate(Request("x-api-key", key), out var caller, out _));
                Assert.Equal(expected, caller.Scopes);
                Assert.True(caller.Keyed);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Load_UnknownScope_RefusesToStartNamingIt()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ApiKeySources.Load(new AuthOptions { Keys = "k=p:read+write" }, "."));
        Assert.Contains("'write' is not an API key scope", e.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:Keys", e.Message, StringComparison.Ordinal);
    }

    private static DefaultHttpContext Request(string header, string value)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[header] = value;
        return context;
    }
}
