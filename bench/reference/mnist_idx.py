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


def default_validation_size(training_images):
    """digitnet's (data/dataset.cpp): the seeds' 10,000 above 20,000 images, else a sixth."""
    return 10000 if training_images > 20000 else training_images // 6


def load(data_dir, validation_size=None, with_validation=False):
    """Returns (train_images, train_labels, test_images, test_labels) as uint8 arrays, images
    flattened to 784 bytes: training = the training file less its last `validation_size`
    images (digitnet's default when None: 10,000 for MNIST). with_validation: those last
    images and their labels are returned too, as a fifth and sixth."""
    images = read_idx(find(data_dir, "train-images-idx3-ubyte"))
    labels = read_idx(find(data_dir, "train-labels-idx1-ubyte"))
    test_images = read_idx(find(data_dir, "t10k-images-idx3-ubyte"))
    test_labels = read_idx(find(data_dir, "t10k-labels-idx1-ubyte"))
    if validation_size is None:
        validation_size = default_validation_size(images.shape[0])
    if not 0 <= validation_size < images.shape[0]:
        raise ValueError(f"{data_dir}: {images.shape[0]} training images, too few to set aside "
                         f"{validation_size} for validation and train on the rest")
    n = images.shape[0] - validation_size
    # (explicit width: an empty validation set, --validation-size 0, cannot infer -1)
    flat = lambda a: a.reshape(a.shape[0], int(np.prod(a.shape[1:])))
    result = (flat(images[:n]), labels[:n], flat(test_images), test_labels)
    return result + (flat(images[n:]), labels[n:]) if with_validation else result


def expand_by_shifts(images, labels, rows=28, cols=28):
    """digitnet's --augment shift (data/augment.cpp): each image followed by its copies moved
    one pixel down, up, right and left (zeros shifted in), labels repeated; flattened uint8."""
    square = images.reshape(-1, rows, cols)
    out = np.zeros((square.shape[0], 5, rows, cols), dtype=images.dtype)
    out[:, 0] = square
    out[:, 1, 1:, :] = square[:, :-1, :]   # dy = +1: out[r] = image[r - 1]
    out[:, 2, :-1, :] = square[:, 1:, :]   # dy = -1
    out[:, 3, :, 1:] = square[:, :, :-1]   # dx = +1
    out[:, 4, :, :-1] = square[:, :, 1:]   # dx = -1
    return out.reshape(-1, rows * cols), np.repeat(labels, 5)


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
