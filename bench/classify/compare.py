#!/usr/bin/env python3
"""Side-by-side benchmark of `quarry classify` and the PyTorch peer (bench/classify/classify_torch.py).

For each dataset, model and thread count it runs, one after the other in the same session: quarry, PyTorch with
preloaded tensors, and PyTorch with the original torchvision loader. It prints one markdown row per run (seconds per
epoch, test accuracy, peak RSS of the process) and the quarry / PyTorch-preloaded ratio. Usage:

  bench/classify/compare.py --quarry PATH/quarry --mnist DIR [--fashion DIR] [--threads 1 2] [--models ff cnn]
                            [--seeds 1] [--epochs 5] [--loaders preloaded torchvision]
"""
import argparse
import gzip
import json
import os
import shutil
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
    args = parser.parse_args()

    datasets = [("mnist", args.mnist)] + ([("fashion-mnist", args.fashion)] if args.fashion else [])
    work = tempfile.mkdtemp(prefix="quarry-classify-bench-")
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", DOTNET_TieredPGO="1")
    # OPENBLAS_CORETYPE/L2_SIZE pin an old kernel on this machine kind; the peer gets OpenBLAS's own choice.
    peer_env = {k: v for k, v in env.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print("| dataset | model | threads | seed | run | s/epoch (mean) | s/epoch (best) | accuracy | peak RSS (MB) | quarry / peer |")
    print("|---|---|---:|---:|---|---:|---:|---:|---:|---:|")
    try:
        for name, folder in datasets:
            torch_root = torchvision_layout(folder, os.path.join(work, name)) if "torchvision" in args.loaders else None
            for model in args.models:
                for threads in args.threads:
                    for seed in args.seeds:
                        rows = []
                        out = os.path.join(work, f"{name}-{model}-{threads}-{seed}")
                        _, _, rss = run([args.quarry, "classify", "--dataset", name, "--model", model, "--dataset-dir", folder,
                                         "--data-dir", os.path.join(work, "data"), "--out", out, "--threads", str(threads),
                                         "--seed", str(seed), "--epochs", str(args.epochs)], env)
                        with open(os.path.join(out, "result.json")) as f:
                            result = json.load(f)
                        rows.append(("quarry", result["epochSeconds"], result["accuracy"], rss))
                        for loader in args.loaders:
                            dataset_dir = torch_root if loader == "torchvision" else folder
                            stdout, _, peer_rss = run([args.python, os.path.join(HERE, "classify_torch.py"), "--model", model, "--dataset-dir",
                                                dataset_dir, "--loader", loader, "--threads", str(threads), "--seed", str(seed),
                                                "--epochs", str(args.epochs)], peer_env)
                            peer = json.loads(stdout.strip().splitlines()[-1])
                            rows.append((f"pytorch {loader}", peer["epochSeconds"], peer["accuracy"], peer_rss))
                        base = sum(rows[1][1]) / len(rows[1][1]) if len(rows) > 1 else None
                        for label, epochs, accuracy, rss in rows:
                            mean = sum(epochs) / len(epochs)
                            ratio = f"{mean / base:.2f}" if base and label == "quarry" else ""
                            print(f"| {name} | {model} | {threads} | {seed} | {label} | {mean:.2f} | {min(epochs):.2f} | "
                                  f"{100 * accuracy:.2f} % | {rss:.0f} | {ratio} |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
