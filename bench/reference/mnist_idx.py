"""Loads the bundled MNIST IDX files the way digitnet does: the seeds' split (training = first
50,000 training images, validation = last 10,000, test = t10k), pixels / 255."""
import argparse
import gzip
import os
import struct

import numpy as np


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype == 0x08, path
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(data_dir, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(data_dir, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(os.path.join(data_dir, name + ".gz"))


def load(data_dir):
    """Returns (train_images, train_labels, test_images, test_labels) as uint8 arrays, images
    flattened to 784 bytes."""
    images = read_idx(find(data_dir, "train-images-idx3-ubyte"))
    labels = read_idx(find(data_dir, "train-labels-idx1-ubyte"))
    test_images = read_idx(find(data_dir, "t10k-images-idx3-ubyte"))
    test_labels = read_idx(find(data_dir, "t10k-labels-idx1-ubyte"))
    n = images.shape[0] - 10000
    flat = lambda a: a.reshape(a.shape[0], -1)
    return flat(images[:n]), labels[:n], flat(test_images), test_labels


def parse_args(description, threads=False):
    """The options every reference program shares with bench/epoch_timer."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", default="data/mnist")
    parser.add_argument("--sizes", default="784,30,10")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--eta", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--train-size", type=int, default=0)
    if threads:
        parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def load_training(args):
    """load() with --train-size applied."""
    images, labels, test_images, test_labels = load(args.data)
    if args.train_size:
        images, labels = images[:args.train_size], labels[:args.train_size]
    return images, labels, test_images, test_labels
