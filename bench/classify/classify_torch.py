#!/usr/bin/env python3
"""The peer of `quarry classify`: the same two networks trained with PyTorch on the CPU.

--loader torchvision runs the original pipeline (torchvision dataset + DataLoader, per-image transforms);
--loader preloaded holds the whole set as one normalised tensor and slices shuffled batches from it.
Prints the original's lines, then one JSON line with the figures the benchmark compares.
"""
import argparse
import gzip
import json
import os
import resource
import struct
import sys
import time

import torch
import torch.nn as nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, kind, dims = struct.unpack(">HBB", data[:4])
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def find(folder, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    sys.exit(f"error: {stem} not found in {folder}")


class FeedForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 500)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(500, 10)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x.reshape(-1, 784))))


class Convolutional(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, kernel_size=3, stride=1)
        self.fc1 = nn.Linear(3 * 26 * 26, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.relu(self.conv(x.reshape(-1, 1, 28, 28)))
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


def batches_preloaded(images, labels, batch_size, generator):
    order = torch.randperm(len(labels), generator=generator)
    for start in range(0, len(labels), batch_size):
        index = order[start:start + batch_size]
        yield images[index], labels[index]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["ff", "cnn"], required=True)
    parser.add_argument("--dataset-dir", required=True, help="folder with the four idx files (raw or .gz)")
    parser.add_argument("--loader", choices=["torchvision", "preloaded"], default="preloaded")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.001)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    print("dataset:", os.path.basename(os.path.normpath(args.dataset_dir)))
    cnn = args.model == "cnn"
    mean, std = (0.1307, 0.3081) if cnn else (0.0, 1.0)

    if args.loader == "torchvision":
        import torchvision
        import torchvision.transforms as transforms
        steps = [transforms.ToTensor()] + ([transforms.Normalize((mean,), (std,))] if cnn else [])
        transform = transforms.Compose(steps)
        # torchvision's MNIST reads decompressed files from <root>/MNIST/raw
        root = os.path.join(args.dataset_dir, "torchvision")
        train_set = torchvision.datasets.MNIST(root=root, train=True, transform=transform, download=False)
        test_set = torchvision.datasets.MNIST(root=root, train=False, transform=transform, download=False)
        train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
        test_loader = torch.utils.data.DataLoader(test_set, batch_size=args.batch_size, shuffle=False)
        epoch_batches = lambda: train_loader
        total_step = len(train_loader)
    else:
        def load(prefix):
            images = read_idx(find(args.dataset_dir, f"{prefix}-images-idx3-ubyte")).float().div_(255)
            labels = read_idx(find(args.dataset_dir, f"{prefix}-labels-idx1-ubyte")).long()
            return (images - mean) / std, labels
        train_images, train_labels = load("train")
        test_images, test_labels = load("t10k")
        generator = torch.Generator().manual_seed(args.seed)
        epoch_batches = lambda: batches_preloaded(train_images, train_labels, args.batch_size, generator)
        test_loader = [(test_images[i:i + 1000], test_labels[i:i + 1000]) for i in range(0, len(test_labels), 1000)]
        total_step = (len(train_labels) + args.batch_size - 1) // args.batch_size

    model = Convolutional() if cnn else FeedForward()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    epoch_seconds = []
    for epoch in range(args.epochs):
        epoch_start = time.perf_counter()
        for i, (images, labels) in enumerate(epoch_batches()):
            loss = criterion(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if (i + 1) % 100 == 0:
                print("Epoch [{}/{}], Step [{}/{}], Loss: {:.4f}".format(epoch + 1, args.epochs, i + 1, total_step, loss.item()))
        epoch_seconds.append(time.perf_counter() - epoch_start)

    correct = total = 0
    with torch.no_grad():
        for images, labels in test_loader:
            predicted = model(images).argmax(1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    print("Accuracy of the network on the 10K test images: {} %".format(100 * correct // total))
    elapsed = time.perf_counter() - started
    print("Time passed: {:.2f} sec".format(elapsed))
    print(json.dumps({
        "peer": "pytorch-" + args.loader, "model": args.model, "threads": args.threads, "seed": args.seed,
        "accuracy": correct / total, "epochSeconds": epoch_seconds, "seconds": elapsed,
        "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
