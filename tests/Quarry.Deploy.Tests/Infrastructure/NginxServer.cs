using System.Diagnostics;
using System.Globalization;
using Quarry.TestSupport;
using Quarry.TestSupport.Servers;

namespace Quarry.Deploy.Tests.Infrastructure;

/// <summary>
/// Debian's nginx on 127.0.0.1 standing in for a Kubernetes Service: its upstreams are the ready pods, and changing them
/// (a config reload) is the endpoints update. It never retries a failed upstream request, so every failure reaches the client.
/// </summary>
internal sealed class NginxServer : LocalServer
{
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(5) };
    private IReadOnlyList<int> _upstreams;
    private int _generation = 1;

    public NginxServer(IEnumerable<int> upstreamPorts)
        : base("nginx")
    {
        _upstreams = [.. upstreamPorts];
        if (!OperatingSystem.IsWindows())
        {
            // Worker processes run as nobody when the master is root; they need to reach the temp paths below.
            File.SetUnixFileMode(WorkDirectory, (UnixFileMode)Convert.ToInt32("755", 8));
        }
    }

    public Uri BaseAddress => new($"http://{Host}:{Port}");

    protected override TimeSpan StartDeadline => TimeSpan.FromSeconds(30);

    /// <summary>Points the Service at <paramref name="ports"/> and returns once new connections are served with them.</summary>
    public async Task RouteToAsync(IEnumerable<int> ports)
    {
        _upstreams = [.. ports];
        var generation = ++_generation;
        WriteConfig();
        Signals.Send(Pid ?? throw new InvalidOperationException("nginx is not running"), Signals.Hangup);
        await Wait.UntilAsync(async () => await GenerationAsync() == generation, TimeSpan.FromSeconds(30), $"nginx to load configuration {generation}");
    }

    protected override Process Launch()
    {
        WriteConfig();
        var nginx = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : Tool.Require("nginx", "nginx");
        return StartLogged(new ProcessStartInfo(nginx)
        {
            ArgumentList = { "-p", WorkDirectory, "-c", ConfigPath, "-e", "stderr", "-g", "daemon off;" },
        });
    }

    protected override async Task<bool> ReadyAsync() => await GenerationAsync() == _generation;

    private string ConfigPath => Path.Combine(WorkDirectory, "nginx.conf");

    private async Task<int> GenerationAsync()
    {
        try
        {
            var text = await _client.GetStringAsync(new Uri(BaseAddress, "/nginx-generation"));
            return int.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException)
        {
            return 0;
        }
    }

    private void WriteConfig()
    {
        var temp = Path.Combine(WorkDirectory, "temp");
        Directory.CreateDirectory(temp);
        var servers = string.Join("\n", _upstreams.Select(p => $"    server 127.0.0.1:{p};"));
        File.WriteAllText(ConfigPath + ".new", $$"""
            worker_processes 1;
            pid {{WorkDirectory}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 512; }
            http {
              access_log off;
              client_body_temp_path {{temp}}/body;
              proxy_temp_path {{temp}}/proxy;
              fastcgi_temp_path {{temp}}/fastcgi;
              uwsgi_temp_path {{temp}}/uwsgi;
              scgi_temp_path {{temp}}/scgi;
              # Clients connect anew for each request, as through kube-proxy: a reload of this stand-in must not close
              # a client's idle keep-alive connection under it (that would be nginx's artifact, not the rollout's).
              keepalive_timeout 0;
              upstream quarry {
            {{servers}}
              }
              server {
                listen 127.0.0.1:{{Port}};
                location = /nginx-generation { default_type text/plain; return 200 "{{_generation}}"; }
                location / {
                  proxy_pass http://quarry;
                  proxy_next_upstream off;
                  proxy_connect_timeout 2s;
                  proxy_read_timeout 30s;
                }
              }
            }
            """);
        File.Move(ConfigPath + ".new", ConfigPath, overwrite: true);
    }
}
