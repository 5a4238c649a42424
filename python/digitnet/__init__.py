"""digitnet from Python: the book's APIs (network, mnist_loader) on digitnet's C++ library.

    from digitnet import mnist_loader, network
    training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    net = network.Network([784, 30, 10])
    net.SGD(training_data, 30, 10, 3.0, test_data=test_data)

prints the book's lines, the same ones `digitnet train` prints for the same seed (1 unless
digitnet.seed(n) or Network(sizes, seed=n) says otherwise).
"""
from . import _digitnet

_seed = 1


def seed(n):
    """Sets the seed of the networks made from now on (their weights and their shuffling), as
    `digitnet train --seed n` does."""
    global _seed
    if not isinstance(n, int) or n < 0:
        raise ValueError("seed %r: give a whole number 0 or above" % (n,))
    _seed = n


def current_seed():
    return _seed


def load(path):
    """A model file of any format digitnet reads (binary, network2.py's JSON, or ONNX: a name
    ending in .onnx, read by digitnet import's rules, e.g. from torch.onnx.export): a Model with
    predict, predict_proba and score on numpy arrays of images."""
    from .models import Model
    return Model(_digitnet.Network.load(str(path)))


def read_picture(path):
    """The 28 x 28 image (uint8, ink bright) that `digitnet predict` makes of a picture file."""
    return _digitnet.read_picture(str(path))


from . import datasets  # noqa: E402
from .models import Model  # noqa: E402
from .training import train  # noqa: E402



def __getattr__(name):
    """digitnet.MLPClassifier, the scikit-learn estimator, imported on first use (scikit-learn
    takes a second to import, and only its users need it)."""
    if name == "MLPClassifier":
        from .sklearn import MLPClassifier
        return MLPClassifier
    raise AttributeError("module 'digitnet' has no attribute %r" % name)


__all__ = ["seed", "load", "read_picture", "train", "Model", "MLPClassifier", "datasets",
           "network", "network2", "mnist_loader"]
