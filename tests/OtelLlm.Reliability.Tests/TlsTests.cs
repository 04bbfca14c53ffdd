using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using OtelLlm.TestSupport;

namespace OtelLlm.Reliability.Tests;

/// <summary>With a certificate configured, OTLP/HTTP is HTTPS (HTTP/1.1) and OTLP/gRPC is HTTP/2 over TLS (ALPN h2).</summary>
public sealed class TlsTests(ClickHouseDatabase database) : IClassFixture<ClickHouseDatabase>
{
    [Fact]
    public async Task Export_TlsOnBothPorts_HttpsAndGrpcOverTlsStoreRows()
    {
        var directory = Path.Combine(Path.GetTempPath(), "otelllm-tls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            using var certificate = SelfSigned();
            var pfx = Path.Combine(directory, "receiver.pfx");
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test-password"));
            await using var receiver = await ReceiverUnderTest.StartAsync(database.Url, database.Name,
            [
                $"--OtelLlm:Receiver:Auth:TlsCertificatePath={pfx}",
                "--OtelLlm:Receiver:Auth:TlsCertificatePassword=test-password",
            ]);

            var validated = 0;
            bool Trust(X509Certificate? presented)
            {
                Interlocked.Increment(ref validated);
                return presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
            }

            using var https = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, c, _, _) => Trust(c) },
            })
            { Timeout = TimeSpan.FromSeconds(60) };
            using var content = new ByteArrayContent(Load.Spans("tls-http", 0, 4).ToByteArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using (var response = await https.PostAsync(new Uri($"https://127.0.0.1:{receiver.HttpPort}/v1/traces"), content))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(HttpVersion.Version11, response.Version);
            }

            using var grpc = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, c, _, _) => Trust(c),
                    ApplicationProtocols = [SslApplicationProtocol.Http2],
                },
            })
            { Timeout = TimeSpan.FromSeconds(60) };
            using var request = new HttpRequestMessage(HttpMethod.Post, $"https://127.0.0.1:{receiver.GrpcPort}/opentelemetry.proto.collector.trace.v1.TraceService/Export")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(Load.GrpcFrame(Load.Spans("tls-grpc", 0, 3).ToByteArray())),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            using (var response = await grpc.SendAsync(request, HttpCompletionOption.ResponseContentRead))
            {
                Assert.Equal(HttpVersion.Version20, response.Version);
                Assert.Equal(0, RetryingExporter.GrpcStatus(response));
            }

            Assert.True(validated >= 2, "the client never saw the receiver's certificate");
            Assert.Equal(4, await database.WaitForCountAsync("SELECT count() FROM otel_traces FINAL WHERE ServiceName = 'tls-http'", 4, TimeSpan.FromSeconds(60)));
            Assert.Equal(3, await database.WaitForCountAsync("SELECT count() FROM otel_traces FINAL WHERE ServiceName = 'tls-grpc'", 3, TimeSpan.FromSeconds(60)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }
}
