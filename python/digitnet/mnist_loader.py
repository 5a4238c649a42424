"""The book's mnist_loader (Python 3 version), reading the MNIST IDX files digitnet ships, or
the book's own mnist.pkl.gz when given its path.

load_data() -> (training_data, validation_data, test_data), each a pair (images, labels) of
numpy arrays: images N x 784 float64 in [0, 1] (a pixel byte / 255), labels N ints; the split
is the book's (50,000 / 10,000 / 10,000). From the book's mnist.pkl.gz the arrays are the
pickle's own (float32, pixel k stored as k/256); digitnet trains on the bytes k, which it reads
as k/255 as everywhere else, so its inputs are 0.4% brighter than the book's network.py sees.
load_data_wrapper() -> lists as the book's code uses them: training_data a list of
(784 x 1 image, 10 x 1 one-hot) pairs, validation_data and test_data lists of (784 x 1 image,
digit) pairs.
"""
import gzip
import os
import pickle

import numpy as np

from . import _digitnet


def _data_dir(path):
    """`path`, else $DIGITNET_DATA, else the source tree's data/mnist (a build tree's module),
    else the installed copy (PREFIX/share/digitnet/mnist)."""
    if path is not None:
        return str(path)
    if "DIGITNET_DATA" in os.environ:
        return os.environ["DIGITNET_DATA"]
    if os.path.isdir(_digitnet.source_data_dir):
        return _digitnet.source_data_dir
    return _digitnet.installed_data_dir


def _load_pickle(path):
    """The book's mnist.pkl.gz (or an unzipped mnist.pkl): a Python 2 pickle of three
    (images, labels) pairs, read as the book's Python 3 loader reads it."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = pickle.load(f, encoding="latin1")
        parts = tuple((np.asarray(images), np.asarray(labels)) for images, labels in data)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError) as error:
        raise ValueError("%s: not the book's mnist.pkl.gz (%s); give that file or a folder of "
                         "MNIST IDX files" % (path, error)) from None
    if len(parts) != 3 or any(images.ndim != 2 or images.shape[1] != 784 or
                              len(images) != len(labels) for images, labels in parts):
        raise ValueError("%s: not the book's mnist.pkl.gz (three pairs of N x 784 images and N "
                         "labels); give that file or a folder of MNIST IDX files" % path)
    return parts


def load_data(path=None):
    """(training_data, validation_data, test_data) as (images N x 784, labels N) pairs. `path`: a
    folder of MNIST IDX files (raw or .gz), or the book's mnist.pkl.gz; default the bundled
    data/mnist (or $DIGITNET_DATA)."""
    if path is not None and os.path.isfile(path) and str(path).endswith((".pkl", ".pkl.gz")):
        return _load_pickle(path)
    split = _digitnet.load_mnist(_data_dir(path))

    def part(name):
        images, labels = split[name]
        return images.astype(np.float64) / 255.0, labels.astype(np.int64)

    return part("training"), part("validation"), part("test")


def vectorized_result(j):
    """A 10 x 1 one-hot column for digit j, as the book's."""
    e = np.zeros((10, 1))
    e[j] = 1.0
    return e


def load_data_wrapper(path=None):
    """The book's shapes: lists of (784 x 1, 10 x 1 one-hot) for training, (784 x 1, digit) for
    validation and test."""
    tr_d, va_d, te_d = load_data(path)
    training_inputs = [np.reshape(x, (784, 1)) for x in tr_d[0]]
    training_results = [vectorized_result(y) for y in tr_d[1]]
    training_data = list(zip(training_inputs, training_results))
    validation_data = list(zip([np.reshape(x, (784, 1)) for x in va_d[0]], [int(y) for y in va_d[1]]))
    test_data = list(zip([np.reshape(x, (784, 1)) for x in te_d[0]], [int(y) for y in te_d[1]]))
    return training_data, validation_data, test_data
