"""Interleaved runs of `quarry mine` and C eclat on the FIMI reference runs; prints markdown tables.

Whole process: best wall time of RUNS alternating runs, each writing its itemsets to a file. Peak RSS: one more run of
each under GNU time (%M), which is exec'd from a small process, so the figure is the program's own.
Mining only: eclat has no in-process timer finer than 10 ms, so its mining time is its best whole-process time without
an output file minus its best time at a threshold nothing reaches (read, recode, exit). Quarry's is the best of RUNS
repetitions of ItemsetMiner.Mine in one warm process (bench/Quarry.Bench fimi child), itemsets streamed and discarded.
"""
import argparse, os, re, subprocess, sys, time

RUNS = [  # name, file, quarry support, eclat -s (percent), bench run index, expected itemsets
    ("retail 0.1%", "retail.dat", "0.001", "0.1", 0, 7589),
    ("retail 0.05%", "retail.dat", "0.0005", "0.05", 1, 19242),
    ("T10I4D100K 0.1%", "T10I4D100K.dat", "0.001", "0.1", 2, 27532),
    ("chess 70%", "chess.dat", "0.7", "70", 3, 48731),
    ("mushroom 10%", "mushroom.dat", "0.1", "10", 4, 574431),
]


def run(argv):
    """Wall seconds of one child process; output discarded. eclat exits non-zero when nothing is frequent."""
    start = time.perf_counter()
    code = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - start
    if code != 0 and "-s-1000000000" not in argv:
        sys.exit(f"failed ({code}): {' '.join(argv)}")
    return wall


def peak_rss(argv):
    """Peak RSS (KiB) of one run, from GNU time."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
    return int(out.strip().splitlines()[-1])


def best(commands, runs):
    """Alternates the commands RUNS times; per command the best wall time and the peak RSS of one more run."""
    walls = [[] for _ in commands]
    for _ in range(runs):
        for i, argv in enumerate(commands):
            walls[i].append(run(argv))
    return [min(w) for w in walls], [peak_rss(argv) for argv in commands]


def lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def main():
    p = argparse.ArgumentParser()
    for name in ("eclat", "quarry", "bench", "data", "work"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--runs", type=int, default=10)
    a = p.parse_args()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"machine: {os.cpu_count()} cores, {cpu}; load average at start: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print(f"runs per command: {a.runs} (alternating); data: {a.data}\n")

    version, vpeak = best([[a.quarry, "--version"]], a.runs)
    print(f"`quarry --version`: best {version[0]*1000:.1f} ms, peak RSS {vpeak[0]/1024:.1f} MB (the runtime's fixed cost)\n")

    print("| run | itemsets quarry / eclat | eclat process (s) | quarry process (s) | quarry / eclat | eclat mining (ms) | quarry mining, warm (ms) | quarry / eclat | eclat peak RSS (MB) | quarry peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, file, support, percent, index, expected in RUNS:
        path = os.path.join(a.data, file)
        qout, eout = os.path.join(a.work, "q.txt"), os.path.join(a.work, "e.txt")
        quarry = [a.quarry, "mine", path, "--min-support", support, "--out", qout]
        eclat = [a.eclat, f"-s{percent}", "-v (%a)", path, eout]
        eclat_mine_only = [a.eclat, f"-s{percent}", path]
        eclat_read_only = [a.eclat, "-s-1000000000", path]
        (tq, te, tm, tr), (pq, pe, _, _) = best([quarry, eclat, eclat_mine_only, eclat_read_only], a.runs)
        nq, ne = lines(qout), lines(eout)
        if nq != expected:
            sys.exit(f"{name}: quarry wrote {nq} itemsets, expected {expected}")
        out = subprocess.run(["dotnet", a.bench, "fimi", "--child", str(index), "--data", a.data, "--repeat", str(max(a.runs, 10))],
                             check=True, capture_output=True, text=True).stdout
        result = next(l for l in out.splitlines() if l.startswith("result ")).split()
        if int(result[3]) != expected:
            sys.exit(f"{name}: warm mining found {result[3]} itemsets, expected {expected}")
        warm = float(result[6])
        eclat_mining = max(tm - tr, 0.0005) * 1000
        print(f"| {name} | {nq:,} / {ne:,} | {te:.3f} | {tq:.3f} | {tq/te:.2f} | {eclat_mining:.1f} | {warm:.1f} | {warm/eclat_mining:.2f} | {pe/1024:.1f} | {pq/1024:.1f} |")
    print(f"\nload average at end: {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    main()
