using System.Buffers.Binary;

namespace Quarry.Playground;

/// <summary>Builds the classic-BPF seccomp program (x86_64) that bwrap installs before exec'ing Python.</summary>
internal static class SeccompFilter
{
    private const uint AuditArchX8664 = 0xC000003E;
    private const uint X32SyscallBit = 0x40000000;
    private const ushort LdAbs = 0x20;
    private const ushort JeqK = 0x15;
    private const ushort JgeK = 0x35;
    private const ushort JsetK = 0x45;
    private const ushort RetK = 0x06;
    private const uint RetKillProcess = 0x80000000;
    private const uint RetAllow = 0x7FFF0000;
    private const uint RetErrno = 0x00050000;
    private const uint Eperm = 1;
    private const uint Enosys = 38;
    private const uint Eafnosupport = 97;
    private const uint AfUnix = 1;
    private const uint SysSocket = 41;
    private const uint SysSocketpair = 53;
    private const uint SysClone = 56;
    private const uint SysClone3 = 435;

    /// <summary>CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME.</summary>
    internal const uint NamespaceCloneFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x80;

    /// <summary>Syscalls refused with EPERM: kernel attack surface Python never needs.</summary>
    internal static readonly IReadOnlyDictionary<string, uint> Denied = new Dictionary<string, uint>
    {
        ["ptrace"] = 101, ["syslog"] = 103, ["vhangup"] = 153, ["pivot_root"] = 155, ["adjtimex"] = 159,
        ["chroot"] = 161, ["acct"] = 163, ["settimeofday"] = 164, ["mount"] = 165, ["umount2"] = 166,
        ["swapon"] = 167, ["swapoff"] = 168, ["reboot"] = 169, ["iopl"] = 172, ["ioperm"] = 173,
        ["init_module"] = 175, ["delete_module"] = 176, ["quotactl"] = 179, ["clock_settime"] = 227,
        ["kexec_load"] = 246, ["add_key"] = 248, ["request_key"] = 249, ["keyctl"] = 250, ["unshare"] = 272,
        ["perf_event_open"] = 298, ["name_to_handle_at"] = 303, ["open_by_handle_at"] = 304, ["setns"] = 308,
        ["process_vm_readv"] = 310, ["process_vm_writev"] = 311, ["finit_module"] = 313, ["kexec_file_load"] = 320,
        ["bpf"] = 321, ["userfaultfd"] = 323, ["io_uring_setup"] = 425, ["io_uring_enter"] = 426,
        ["io_uring_register"] = 427, ["open_tree"] = 428, ["move_mount"] = 429, ["fsopen"] = 430,
        ["fsconfig"] = 431, ["fsmount"] = 432, ["fspick"] = 433, ["mount_setattr"] = 442,
    };

    /// <summary>The program as the raw bytes bwrap reads from its --seccomp descriptor.</summary>
    public static byte[] Build()
    {
        var p = new List<(ushort Code, byte Jt, byte Jf, uint K)>
        {
            (LdAbs, 0, 0, 4),
            (JeqK, 1, 0, AuditArchX8664),
            (RetK, 0, 0, RetKillProcess),
            (LdAbs, 0, 0, 0),
            (JgeK, 0, 1, X32SyscallBit),
            (RetK, 0, 0, RetKillProcess),
        };

        foreach (uint nr in Denied.Values.Order())
        {
            p.Add((JeqK, 0, 1, nr));
            p.Add((RetK, 0, 0, RetErrno | Eperm));
        }

        // clone3 passes flags in memory BPF cannot read; ENOSYS makes libc fall back to clone.
        p.Add((JeqK, 0, 1, SysClone3));
        p.Add((RetK, 0, 0, RetErrno | Enosys));

        foreach (uint nr in new[] { SysSocket, SysSocketpair })
        {
            p.Add((JeqK, 0, 4, nr));
            p.Add((LdAbs, 0, 0, 16));
            p.Add((JeqK, 1, 0, AfUnix));
            p.Add((RetK, 0, 0, RetErrno | Eafnosupport));
            p.Add((RetK, 0, 0, RetAllow));
        }

        p.Add((JeqK, 0, 4, SysClone));
        p.Add((LdAbs, 0, 0, 16));
        p.Add((JsetK, 0, 1, NamespaceCloneFlags));
        p.Add((RetK, 0, 0, RetErrno | Eperm));
        p.Add((RetK, 0, 0, RetAllow));
        p.Add((RetK, 0, 0, RetAllow));

        var bytes = new byte[p.Count * 8];
        for (int i = 0; i < p.Count; i++)
        {
            Span<byte> s = bytes.AsSpan(i * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(s, p[i].Code);
            s[2] = p[i].Jt;
            s[3] = p[i].Jf;
            BinaryPrimitives.WriteUInt32LittleEndian(s[4..], p[i].K);
        }

        return bytes;
    }
}
