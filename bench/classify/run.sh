#!/usr/bin/env bash
# quarry classify next to PyTorch (preloaded tensors and the original torchvision loader), ff and cnn, 5 epochs,
# MNIST and Fashion-MNIST, 1 and 2 threads, one after the other in one run. Needs Debian's python3-torch,
# python3-torchvision, dataset-fashion-mnist and libopenblas0-pthread (without it Debian's torch falls back to the
# reference BLAS and runs about 5x slower). Usage: bench/classify/run.sh [extra compare.py options]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mnist=${MNIST_DIR:-$root/../shared/data/mnist}
fashion=${FASHION_DIR:-/usr/share/datasets/fashion-mnist}
dotnet build "$root/src/Quarry" -c Release --nologo -v:q -clp:NoSummary >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "BLAS: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
echo "python3-torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), $(dotnet --version) SDK"
exec /usr/bin/python3 "$root/bench/classify/compare.py" --quarry "$root/src/Quarry/bin/Release/net10.0/quarry" \
  --mnist "$mnist" --fashion "$fashion" "$@"
