"""MNIST as numpy arrays."""
import numpy as np

from . import _digitnet
from .mnist_loader import _data_dir


def mnist(path=None):
    """The seeds' split of the bundled MNIST (or the IDX files in `path`): a dict with
    'train_images' (50,000 x 28 x 28 uint8), 'train_labels', 'validation_images',
    'validation_labels', 'test_images' (10,000 x 28 x 28) and 'test_labels'."""
    split = _digitnet.load_mnist(_data_dir(path))
    out = {}
    for name, key in (("training", "train"), ("validation", "validation"), ("test", "test")):
        images, labels = split[name]
        out[key + "_images"] = images.reshape(-1, 28, 28)
        out[key + "_labels"] = labels.astype(np.int64)
    return out
