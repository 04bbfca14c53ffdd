using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OtelLlm.Receiver.WebConsole;

/// <summary>Where the console listens and how the receiver host serves it.</summary>
internal static class ConsoleHosting
{
    /// <summary>Adds the console's listener (HTTP/1.1, with TLS when the receiver has a certificate).</summary>
    public static void Listen(KestrelServerOptions kestrel, ConsoleOptions options, X509Certificate2? certificate)
    {
        if (!options.Enabled)
        {
            return;
        }

        kestrel.Listen(Address(options.ListenAddress), options.Port, o =>
        {
            o.Protocols = HttpProtocols.Http1;
            if (certificate is not null)
            {
                o.UseHttps(certificate);
            }
        });
    }

    /// <summary>Serves the console's files on its port.</summary>
    public static void UseConsole(this IApplicationBuilder app, ConsoleOptions options)
    {
        if (options.Enabled)
        {
            app.UseMiddleware<ConsoleMiddleware>();
        }
    }

    /// <summary>Whether the console is reachable from this machine only.</summary>
    public static bool IsLoopback(string address)
        => address.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The address to bind: <c>*</c>, <c>0.0.0.0</c> or empty for every interface, <c>::</c> for every IPv6 one.</summary>
    public static IPAddress Address(string address) => address switch
    {
        "*" or "0.0.0.0" or "" => IPAddress.Any,
        "::" => IPAddress.IPv6Any,
        "localhost" => IPAddress.Loopback,
        _ => IPAddress.TryParse(address, out var parsed) ? parsed : IPAddress.Loopback,
    };
}
