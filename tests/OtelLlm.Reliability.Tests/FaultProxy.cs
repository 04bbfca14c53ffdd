using System.Net;
using System.Net.Sockets;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// A TCP proxy in front of the real ClickHouse that can be switched "down": then it accepts connections and drops
/// them at once, which the receiver sees as ClickHouse being unreachable. The real server keeps running for others.
/// Both faults apply to connections already open as well as to new ones: a client keeps its connections alive, so a
/// fault that only touched new connections would miss every request sent on one opened before it (the receiver's
/// start-up schema check opens one).
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private volatile bool _down;
    private volatile bool _stalled;

    public FaultProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        _accept = AcceptLoopAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Connections dropped while down.</summary>
    public int Dropped;

    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    /// <summary>While set, nothing is forwarded in either direction and new connections are not connected upstream: ClickHouse looks hung.</summary>
    public bool Stalled
    {
        get => _stalled;
        set => _stalled = value;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            if (_down)
            {
                Interlocked.Increment(ref Dropped);
                client.Client.LingerState = new LingerOption(true, 0);
                return;
            }

            using var upstream = new TcpClient();
            try
            {
                await WhileStalledAsync();
                await upstream.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                var a = client.GetStream();
                var b = upstream.GetStream();
                var up = PumpAsync(a, b);
                var downstream = PumpAsync(b, a);
                await Task.WhenAny(up, downstream);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[65536];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                await WhileStalledAsync();
                if (_down)
                {
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Holds the caller until the stall is lifted or the proxy is disposed (then throws OperationCanceledException).</summary>
    private async Task WhileStalledAsync()
    {
        while (_stalled)
        {
            await Task.Delay(20, _stop.Token);
        }
    }
}
