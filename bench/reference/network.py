"""A faithful restatement of the seeds' network.py (Python 3 + numpy): a sigmoid network trained
by mini-batch SGD, backprop one example at a time in float64, the quadratic cost. Only the
timing and the JSON output are added; the algorithm is the seeds', line for line.

Prints one JSON object per epoch: {"epoch", "seconds" (training only), "correct", "total",
"eval_seconds"}.
"""
import json
import random
import time

import numpy as np

import mnist_idx


class Network(object):
    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data=None):
        n = len(training_data)
        for j in range(epochs):
            start = time.perf_counter()
            random.shuffle(training_data)
            mini_batches = [training_data[k:k + mini_batch_size] for k in range(0, n, mini_batch_size)]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta)
            seconds = time.perf_counter() - start
            record = {"epoch": j, "seconds": seconds}
            if test_data:
                start = time.perf_counter()
                record["correct"] = int(self.evaluate(test_data))
                record["eval_seconds"] = time.perf_counter() - start
                record["total"] = len(test_data)
            print(json.dumps(record), flush=True)

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)

    def evaluate(self, test_data):
        test_results = [(np.argmax(self.feedforward(x)), y) for (x, y) in test_data]
        return sum(int(x == y) for (x, y) in test_results)

    def cost_derivative(self, output_activations, y):
        return output_activations - y


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def vectorized_result(j):
    e = np.zeros((10, 1))
    e[j] = 1.0
    return e


def main():
    args = mnist_idx.parse_args(__doc__)
    random.seed(args.seed)
    np.random.seed(args.seed)
    images, labels, test_images, test_labels = mnist_idx.load_training(args)
    # The seeds' loader: 784x1 float64 columns, training labels one-hot, test labels digits.
    training_data = [(np.reshape(x, (784, 1)) / 255.0, vectorized_result(y)) for x, y in zip(images, labels)]
    test_data = [(np.reshape(x, (784, 1)) / 255.0, int(y)) for x, y in zip(test_images, test_labels)]
    net = Network([int(s) for s in args.sizes.split(",")])
    net.SGD(training_data, args.epochs, args.batch, args.eta, test_data=test_data)


if __name__ == "__main__":
    main()
