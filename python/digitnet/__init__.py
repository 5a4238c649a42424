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
    """A digitnet model file (written by `digitnet train --save` or Network.save)."""
    from . import network
    return network.Network._wrap(_digitnet.Network.load(str(path)))


__all__ = ["seed", "load", "network", "network2", "mnist_loader"]
