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

            try
            {
                await WhileStalledAsync();
                await new Link(this, client.GetStream()).RunAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
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

    /// <summary>
    /// One client connection forwarded to ClickHouse. A request held back by a stall that came while the connection
    /// was idle (nothing sent since the last answer) goes to a new upstream connection once the stall ends: ClickHouse
    /// closes connections idle for 10 s, and it never saw the request, so nothing is sent twice.
    /// </summary>
    private sealed class Link(FaultProxy proxy, NetworkStream client)
    {
        private readonly byte[] _requests = new byte[65536];
        private readonly byte[] _responses = new byte[65536];
        private volatile bool _idle = true;

        public async Task RunAsync()
        {
            var held = 0;
            while (true)
            {
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(proxy._target.Host, proxy._target.Port, proxy._stop.Token);
                var server = upstream.GetStream();
                if (held > 0)
                {
                    _idle = false;
                    await server.WriteAsync(_requests.AsMemory(0, held), proxy._stop.Token);
                }

                var responses = ForwardResponsesAsync(server);
                held = await ForwardRequestsAsync(server, responses);
                if (held == 0)
                {
                    return;
                }
            }
        }

        /// <summary>Forwards what the client sends; returns how many bytes to send again on a new connection, or 0 when done.</summary>
        private async Task<int> ForwardRequestsAsync(NetworkStream server, Task responses)
        {
            while (true)
            {
                var read = client.ReadAsync(_requests, proxy._stop.Token).AsTask();
                if (await Task.WhenAny(read, responses) == responses)
                {
                    // ClickHouse closed the connection (or the proxy went down): the client's side is closed too.
                    _ = read.ContinueWith(static t => t.Exception, TaskScheduler.Default);
                    return 0;
                }

                var n = await read;
                if (n == 0 || proxy._down)
                {
                    return 0;
                }

                if (proxy._stalled)
                {
                    var idle = _idle;
                    await proxy.WhileStalledAsync();
                    if (proxy._down)
                    {
                        return 0;
                    }

                    if (idle)
                    {
                        return n;
                    }
                }

                _idle = false;
                await server.WriteAsync(_requests.AsMemory(0, n), proxy._stop.Token);
            }
        }

        private async Task ForwardResponsesAsync(NetworkStream server)
        {
            try
            {
                int n;
                while ((n = await server.ReadAsync(_responses, proxy._stop.Token)) > 0)
                {
                    await proxy.WhileStalledAsync();
                    if (proxy._down)
                    {
                        return;
                    }

                    // Set before the client can see the answer and send its next request.
                    _idle = true;
                    await client.WriteAsync(_responses.AsMemory(0, n), proxy._stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }
}
