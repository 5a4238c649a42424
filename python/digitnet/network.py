"""The book's network.py (chapter 1), on digitnet's library: the same methods and lines.

    net = network.Network([784, 30, 10])
    net.SGD(training_data, 30, 10, 3.0, test_data=test_data)

`weights` and `biases` are numpy arrays over the network's own (float32) parameters: editing
them changes the network. Training runs in C++ (the GIL released; Ctrl-C stops it after the
current mini-batch with KeyboardInterrupt); the per-epoch lines are those of
`digitnet train --seed S` for the network's seed S.
"""
import numpy as np

from . import _digitnet
from . import current_seed


def _images_of(data, what):
    """Bytes and labels from the book's data: pixels must be whole multiples of 1/255 (as
    mnist_loader gives them) or of 1/256 (the book's mnist.pkl.gz), labels one-hot columns or
    ints. In C++, pair by pair: the book's 50,000 pairs convert in a tenth of a second."""
    converted = _digitnet.pairs_as_bytes(list(data), what)
    if converted is None:
        raise ValueError(
            "%s: pixel values must be multiples of 1/255 in [0, 1] (as mnist_loader gives "
            "them, or 1/256 as the book's mnist.pkl.gz does); digitnet trains on bytes" % what)
    return converted


class Network(object):
    def __init__(self, sizes, seed=None):
        """The book's Network(sizes): sigmoid layers, weights and biases from N(0, 1), drawn
        from `seed` (default digitnet.seed's, 1) as `digitnet train --seed` draws them."""
        self.seed = current_seed() if seed is None else seed
        self._net = _digitnet.Network([int(s) for s in sizes], self.seed)

    @classmethod
    def _wrap(cls, native):
        net = cls.__new__(cls)
        net.seed = current_seed()
        net._net = native
        return net

    @property
    def sizes(self):
        return list(self._net.sizes)

    @property
    def num_layers(self):
        return len(self._net.sizes)

    @property
    def weights(self):
        return self._net.weights

    @property
    def biases(self):
        return self._net.biases

    def feedforward(self, a):
        """Return the output of the network if ``a`` is input."""
        return self._net.feedforward(np.asarray(a, dtype=np.float64))

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data=None):
        """Train the network using mini-batch stochastic gradient descent, printing the book's
        line after each epoch."""
        training_data = list(training_data)
        images, labels = _images_of(training_data, "training_data")
        test_images = test_labels = None
        if test_data is not None:
            test_data = list(test_data)
            test_images, test_labels = _images_of(test_data, "test_data")

        def on_epoch(j, correct, total):
            if correct is None:
                print("Epoch {0} complete".format(j))
            else:
                print("Epoch {0}: {1} / {2}".format(j, correct, total))

        self._net.sgd(images, labels, int(epochs), int(mini_batch_size), float(eta), self.seed,
                      test_images, test_labels, on_epoch)

    def update_mini_batch(self, mini_batch, eta):
        """One gradient-descent step on the mini batch (a list of (x, y))."""
        x = np.hstack([np.asarray(x, dtype=np.float64).reshape(-1, 1) for x, _ in mini_batch])
        y = np.hstack([np.asarray(y, dtype=np.float64).reshape(-1, 1) for _, y in mini_batch])
        self._net.sgd_step(np.asfortranarray(x), np.asfortranarray(y), float(eta))

    def backprop(self, x, y):
        """(nabla_b, nabla_w): the gradient of the cost C_x, layer by layer, as numpy arrays
        shaped like self.biases and self.weights."""
        return self._net.backprop(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))

    def evaluate(self, test_data):
        """The number of test inputs for which the network outputs the correct result."""
        images, labels = _images_of(list(test_data), "test_data")
        return self._net.evaluate(images, labels)

    def cost_derivative(self, output_activations, y):
        """The vector of partial derivatives dC_x/da for the output activations."""
        return output_activations - y

    def save(self, path):
        """Writes a digitnet model file (digitnet eval --model reads it)."""
        self._net.save(str(path))

    # pickle: the model file's bytes and the seed.
    def __getstate__(self):
        return {"model": self._net.to_bytes(), "seed": self.seed}

    def __setstate__(self, state):
        self._net = _digitnet.Network.from_bytes(state["model"])
        self.seed = state["seed"]


def sigmoid(z):
    """The sigmoid function."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """Derivative of the sigmoid function."""
    return sigmoid(z) * (1 - sigmoid(z))
