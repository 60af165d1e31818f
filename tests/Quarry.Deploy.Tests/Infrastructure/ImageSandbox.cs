using System.Diagnostics;
using System.Globalization;

namespace Quarry.Deploy.Tests.Infrastructure;

/// <summary>
/// Runs a command the way the image runs it, without a container engine: the published output at the image's /app,
/// the image's ENV, WORKDIR and ENTRYPOINT, as the image's USER with no capabilities and no privilege escalation, on a
/// read-only root filesystem where only the data volume and /tmp (an emptyDir in the pod) are writable. bubblewrap
/// builds that mount namespace from the host's directories.
/// </summary>
internal sealed class ImageSandbox(string publishDirectory, string dataDirectory, Dockerfile.Stage image)
{
    /// <summary>
    /// True: /proc is the host's, fully visible, as with a pod's <c>procMount: Unmasked</c>. False: a fresh /proc of a new
    /// pid namespace with bubblewrap's read-only parts, as a container runtime's masked /proc.
    /// </summary>
    public bool UnmaskedProc { get; init; }

    /// <summary>Variables set on top of the image's ENV (what <c>docker run -e</c> or a pod's env would add).</summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public static bool IsRoot => System.Environment.UserName == "root";

    /// <summary>The image's numeric USER.</summary>
    public int Uid => int.Parse(image.Last("USER")!, CultureInfo.InvariantCulture);

    /// <summary>Gives the data directory to the image's user, as the image's <c>chown</c> of /data does.</summary>
    public async Task PrepareAsync()
    {
        Directory.CreateDirectory(dataDirectory);
        if (IsRoot)
        {
            var chown = await Tool.RunAsync("chown", [$"{Uid}:{Uid}", dataDirectory], TimeSpan.FromSeconds(30));
            Assert.True(chown.ExitCode == 0, chown.Both);
        }
    }

    /// <summary>bwrap and its arguments that run <paramref name="command"/> (default: ENTRYPOINT + CMD) in the image's place.</summary>
    public ProcessStartInfo StartInfo(IEnumerable<string>? command = null)
    {
        var bwrap = Tool.Require("bwrap", "bubblewrap");
        var info = new ProcessStartInfo(bwrap) { UseShellExecute = false };
        var args = info.ArgumentList;
        var own = new HashSet<string>(StringComparer.Ordinal) { "proc", "dev", "tmp", "sys", "app", "data" };
        foreach (var entry in new DirectoryInfo("/").EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (own.Contains(entry.Name))
            {
                continue;
            }

            if (entry.LinkTarget is { } target)
            {
                Add(args, "--symlink", target, entry.FullName);
            }
            else
            {
                Add(args, "--ro-bind", entry.FullName, entry.FullName);
            }
        }

        // /tmp is an emptyDir in the pods: writable by everyone, sticky.
        Add(args, "--ro-bind", "/sys", "/sys", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp");
        if (UnmaskedProc)
        {
            Add(args, "--bind", "/proc", "/proc");
        }
        else
        {
            Add(args, "--unshare-pid", "--proc", "/proc");
        }

        Add(args, "--ro-bind", publishDirectory, "/app", "--bind", dataDirectory, "/data", "--remount-ro", "/");
        Add(args, "--die-with-parent", "--chdir", image.Last("WORKDIR") ?? "/", "--clearenv");
        Add(args, "--setenv", "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "--setenv", "HOME", "/tmp");
        foreach (var (key, value) in image.Environment.Concat(Environment))
        {
            Add(args, "--setenv", key, value);
        }

        args.Add("--");
        if (IsRoot)
        {
            // The image's USER, no capabilities (drop ALL), no_new_privs (allowPrivilegeEscalation: false).
            Add(args, Tool.Require("setpriv", "util-linux"), $"--reuid={Uid}", $"--regid={Uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs");
        }

        foreach (var part in command ?? [.. image.Exec("ENTRYPOINT"), .. image.Exec("CMD")])
        {
            args.Add(part);
        }

        return info;
    }

    private static void Add(IList<string> list, params string[] items)
    {
        foreach (var item in items)
        {
            list.Add(item);
        }
    }
}
