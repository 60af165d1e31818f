#!/usr/bin/env python3
"""Side-by-side benchmark of `quarry classify` and the PyTorch peer (bench/classify/classify_torch.py).

For each dataset, model and thread count it runs, one after the other in the same session: quarry, PyTorch with
preloaded tensors, and PyTorch with the original torchvision loader; with --rounds N it does that N times, alternating,
so that a noisy neighbour on a shared machine slows both sides. It prints one markdown row per program (the median over
the rounds of each run's mean seconds per epoch, the best epoch seen, test accuracy, peak RSS of the process) and the
quarry / PyTorch-preloaded ratio of those medians. Usage:

  bench/classify/compare.py --quarry PATH/quarry --mnist DIR [--fashion DIR] [--threads 1 2] [--models ff cnn]
                            [--seeds 1] [--epochs 5] [--loaders preloaded torchvision] [--rounds 1]
"""
import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def run(command, env):
    """Runs one child under /usr/bin/time and returns (stdout, seconds, peak RSS in MB of that child)."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rss:
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name] + command, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"error: {' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
        return done.stdout, seconds, int(rss.read().strip().splitlines()[-1]) / 1024


def torchvision_layout(source, work):
    """torchvision's MNIST class reads decompressed files from <root>/MNIST/raw."""
    raw = os.path.join(work, "torchvision", "MNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for name in FILES:
        target = os.path.join(raw, name)
        if os.path.exists(os.path.join(source, name)):
            shutil.copy(os.path.join(source, name), target)
        else:
            with gzip.open(os.path.join(source, name + ".gz")) as f, open(target, "wb") as out:
                shutil.copyfileobj(f, out)
    return work


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quarry", required=True)
    parser.add_argument("--mnist", required=True)
    parser.add_argument("--fashion")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--models", nargs="+", default=["ff", "cnn"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--loaders", nargs="+", default=["preloaded", "torchvision"])
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    datasets = [("mnist", args.mnist)] + ([("fashion-mnist", args.fashion)] if args.fashion else [])
    work = tempfile.mkdtemp(prefix="quarry-classify-bench-")
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", DOTNET_TieredPGO="1")
    # OPENBLAS_CORETYPE/L2_SIZE pin an old kernel on this machine kind; the peer gets OpenBLAS's own choice.
    peer_env = {k: v for k, v in env.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"| dataset | model | threads | seed | run | s/epoch (median of {args.rounds}) | s/epoch (best) | accuracy | peak RSS (MB) | quarry / peer |")
    print("|---|---|---:|---:|---|---:|---:|---:|---:|---:|")
    try:
        for name, folder in datasets:
            torch_root = torchvision_layout(folder, os.path.join(work, name)) if "torchvision" in args.loaders else None
            for model in args.models:
                for threads in args.threads:
                    for seed in args.seeds:
                        runs = {}
                        for round_ in range(args.rounds):
                            out = os.path.join(work, f"{name}-{model}-{threads}-{seed}-{round_}")
                            _, _, rss = run([args.quarry, "classify", "--dataset", name, "--model", model, "--dataset-dir", folder,
                                             "--data-dir", os.path.join(work, "data"), "--out", out, "--threads", str(threads),
                                             "--seed", str(seed), "--epochs", str(args.epochs)], env)
                            with open(os.path.join(out, "result.json")) as f:
                                result = json.load(f)
                            runs.setdefault("quarry", []).append((result["epochSeconds"], result["accuracy"], rss))
                            for loader in args.loaders:
                                dataset_dir = torch_root if loader == "torchvision" else folder
                                stdout, _, peer_rss = run([args.python, os.path.join(HERE, "classify_torch.py"), "--model", model,
                                                           "--dataset-dir", dataset_dir, "--loader", loader, "--threads", str(threads),
                                                           "--seed", str(seed), "--epochs", str(args.epochs)], peer_env)
                                peer = json.loads(stdout.strip().splitlines()[-1])
                                runs.setdefault(f"pytorch {loader}", []).append((peer["epochSeconds"], peer["accuracy"], peer_rss))
                        medians = {label: statistics.median(sum(e) / len(e) for e, _, _ in rs) for label, rs in runs.items()}
                        base = medians.get("pytorch preloaded")
                        for label, rs in runs.items():
                            best = min(min(e) for e, _, _ in rs)
                            accuracy = rs[0][1]
                            rss = max(r for _, _, r in rs)
                            ratio = f"{medians[label] / base:.2f}" if base and label == "quarry" else ""
                            print(f"| {name} | {model} | {threads} | {seed} | {label} | {medians[label]:.2f} | {best:.2f} | "
                                  f"{100 * accuracy:.2f} % | {rss:.0f} | {ratio} |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
