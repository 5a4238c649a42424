"""The book's network2.py (chapter 3), on digitnet's library: cross-entropy or quadratic cost,
the two weight initialisers, L2 regularisation, the four monitors, save and load in the book's
JSON format (files the book's own network2.py reads and writes).

    net = network2.Network([784, 30, 10], cost=network2.CrossEntropyCost)
    net.SGD(training_data, 30, 10, 0.5, lmbda=5.0, evaluation_data=validation_data,
            monitor_evaluation_accuracy=True)
"""
import json

import numpy as np

from . import _digitnet
from . import current_seed
from .network import _images_of


class QuadraticCost(object):
    name = "quadratic"

    @staticmethod
    def fn(a, y):
        """The cost of output ``a`` against the desired output ``y``."""
        return 0.5 * np.linalg.norm(a - y) ** 2

    @staticmethod
    def delta(z, a, y):
        """The error delta of the output layer."""
        s = 1.0 / (1.0 + np.exp(-z))
        return (a - y) * s * (1 - s)


class CrossEntropyCost(object):
    name = "cross-entropy"

    @staticmethod
    def fn(a, y):
        return np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y):
        return a - y


_costs = {"quadratic": QuadraticCost, "cross-entropy": CrossEntropyCost}


class Network(object):
    def __init__(self, sizes, cost=CrossEntropyCost, seed=None):
        """Sigmoid layers of these sizes; weights by default_weight_initializer, from `seed`
        (default digitnet.seed's) as `digitnet train --init scaled-normal --seed` draws them."""
        if cost not in (QuadraticCost, CrossEntropyCost):
            raise TypeError("cost: network2.QuadraticCost or network2.CrossEntropyCost")
        self.seed = current_seed() if seed is None else seed
        self.cost = cost
        self._net = _digitnet.Network([int(s) for s in sizes], self.seed, cost.name, "scaled-normal")

    @classmethod
    def _wrap(cls, native):
        net = cls.__new__(cls)
        net.seed = current_seed()
        net.cost = _costs[native.cost]
        net._net = native
        return net

    sizes = property(lambda self: list(self._net.sizes))
    num_layers = property(lambda self: len(self._net.sizes))
    weights = property(lambda self: self._net.weights)
    biases = property(lambda self: self._net.biases)

    def default_weight_initializer(self):
        """Weights from N(0, 1/n_in), biases from N(0, 1)."""
        self._net.reinitialize(self.seed, "scaled-normal")

    def large_weight_initializer(self):
        """Weights and biases from N(0, 1), as chapter 1's network."""
        self._net.reinitialize(self.seed, "normal")

    def feedforward(self, a):
        return self._net.feedforward(np.asarray(a, dtype=np.float64))

    def SGD(self, training_data, epochs, mini_batch_size, eta, lmbda=0.0, evaluation_data=None,
            monitor_evaluation_cost=False, monitor_evaluation_accuracy=False,
            monitor_training_cost=False, monitor_training_accuracy=False):
        """Mini-batch SGD with L2 regularisation `lmbda`, printing the book's lines and
        returning (evaluation_cost, evaluation_accuracy, training_cost, training_accuracy)."""
        training_data = list(training_data)
        images, labels = _images_of(training_data, "training_data")
        if evaluation_data is not None:
            evaluation_data = list(evaluation_data)
            eval_images, eval_labels = _images_of(evaluation_data, "evaluation_data")
        elif monitor_evaluation_cost or monitor_evaluation_accuracy:
            raise ValueError("monitor_evaluation_*: give evaluation_data")
        evaluation_cost, evaluation_accuracy = [], []
        training_cost, training_accuracy = [], []

        def on_epoch(j, correct, total):
            print("Epoch %s training complete" % j)
            if monitor_training_cost:
                training_cost.append(self._cost(images, labels, lmbda))
                print("Cost on training data: {}".format(training_cost[-1]))
            if monitor_training_accuracy:
                training_accuracy.append(self._net.evaluate(images, labels))
                print("Accuracy on training data: {} / {}".format(training_accuracy[-1], len(labels)))
            if monitor_evaluation_cost:
                evaluation_cost.append(self._cost(eval_images, eval_labels, lmbda))
                print("Cost on evaluation data: {}".format(evaluation_cost[-1]))
            if monitor_evaluation_accuracy:
                evaluation_accuracy.append(self._net.evaluate(eval_images, eval_labels))
                print("Accuracy on evaluation data: {} / {}".format(
                    evaluation_accuracy[-1], len(eval_labels)))
            print()

        self._net.sgd(images, labels, int(epochs), int(mini_batch_size), float(eta), self.seed,
                      None, None, on_epoch, float(lmbda))
        return evaluation_cost, evaluation_accuracy, training_cost, training_accuracy

    def _cost(self, images, labels, lmbda):
        _, total = self._net.score(images, labels)
        return total / len(labels) + self._net.l2_penalty(float(lmbda), float(len(labels)))

    def accuracy(self, data, convert=False):
        """How many inputs of `data` the network reads right (convert: the labels are one-hot
        columns, as in training data; digitnet reads either kind)."""
        images, labels = _images_of(list(data), "data")
        return self._net.evaluate(images, labels)

    def total_cost(self, data, lmbda, convert=False):
        """The mean cost over `data` plus 0.5·(lmbda/len(data))·Σ‖w‖², as the book's."""
        images, labels = _images_of(list(data), "data")
        return self._cost(images, labels, lmbda)

    def save(self, filename):
        """Writes the network in the book's JSON format (sizes, weights, biases, cost)."""
        with open(filename, "w") as f:
            f.write(self._net.to_network2_json())


    # pickle: the model file's bytes, the seed and the cost.
    def __getstate__(self):
        return {"model": self._net.to_bytes(), "seed": self.seed}

    def __setstate__(self, state):
        self._net = _digitnet.Network.from_bytes(state["model"])
        self.seed = state["seed"]
        self.cost = _costs[self._net.cost]


def load(filename):
    """A network from a file in the book's JSON format (written by network2.py or save)."""
    with open(filename) as f:
        text = f.read()
    return Network._wrap(_digitnet.Network.from_network2_json(text, str(filename)))
