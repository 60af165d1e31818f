namespace Quarry.Playground;

/// <summary>The trusted Python prelude: applies rlimits, announces readiness, then runs the code read from stdin.</summary>
internal static class Bootstrap
{
    // argv: marker fd, token, address space, file size, open files, cpu seconds, processes.
    public const string Source = """
import os, sys, resource
_fd = int(sys.argv[1]); _tok = sys.argv[2]
_as, _fsize, _nofile, _cpu, _nproc = (int(v) for v in sys.argv[3:8])
del sys.argv[1:]
def _lim(kind, soft, hard=None):
    resource.setrlimit(kind, (soft, soft if hard is None else hard))
_lim(resource.RLIMIT_CORE, 0)
_lim(resource.RLIMIT_FSIZE, _fsize)
_lim(resource.RLIMIT_NOFILE, _nofile)
_lim(resource.RLIMIT_CPU, _cpu, _cpu + 1)
_lim(resource.RLIMIT_NPROC, _nproc)
if _as > 0:
    _lim(resource.RLIMIT_AS, _as)
os.write(_fd, (_tok + " ready\n").encode())
_src = sys.stdin.buffer.read()
_null = os.open("/dev/null", os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)
sys.stdin = open(0, "r", closefd=False)
_code = 0
try:
    exec(compile(_src, "<playground>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
except SystemExit as e:
    if e.code is None:
        _code = 0
    elif isinstance(e.code, int):
        _code = e.code & 0xFF
    else:
        print(e.code, file=sys.__stderr__)
        _code = 1
except BaseException as _e:
    try:
        import traceback  # here, not at start: it costs about half of a sandbox's start-up
        _tb = _e.__traceback__
        traceback.print_exception(type(_e), _e, _tb.tb_next if _tb is not None else None)
    except BaseException:
        try:
            os.write(2, (type(_e).__name__ + ": " + str(_e) + "\n").encode(errors="replace"))
        except BaseException:
            pass
    _code = 1
for _s in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
    try:
        _s.flush()
    except BaseException:
        pass
try:
    os.write(_fd, (_tok + " exit " + str(_code) + "\n").encode())
finally:
    os._exit(_code)
""";
}
