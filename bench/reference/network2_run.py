"""The book's network2.py training loop for the chapter 3 runs (cross-entropy or quadratic cost,
L2 weight decay 1 - eta*lmbda/n, N(0,1) "large" or N(0,1/n_in) "default" weights), in numpy
float64. The mini-batch is processed as one matrix instead of network2.py's loop over examples:
the sums are the same up to float64 rounding. Used to measure the Python program's own spread
over seeds for the runs of docs/results.md.

Options as the other reference programs (mnist_idx.parse_args); the rest from the environment:
LAMBDA (default 5.0), COST (cross-entropy or quadratic), INIT (large or default). Prints one JSON
object per epoch: {"epoch", "correct", "total"} on the test set. For example, the book's run of
recipes/cross-entropy-l2-30.toml:
  /usr/bin/python3 bench/reference/network2_run.py --epochs 30 --eta 0.5 --seed 1
"""
import json
import os
import random

import numpy as np

import mnist_idx


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def main():
    args = mnist_idx.parse_args(__doc__.splitlines()[0])
    random.seed(args.seed)
    np.random.seed(args.seed)
    images, labels, test_images, test_labels = mnist_idx.load_training(args)
    x_all = images.astype(np.float64) / 255.0
    y_all = np.eye(10)[labels]
    test_x = test_images.astype(np.float64) / 255.0
    sizes = [int(s) for s in args.sizes.split(",")]
    lmbda = float(os.environ.get("LAMBDA", "5.0"))
    cost = os.environ.get("COST", "cross-entropy")
    init = os.environ.get("INIT", "large")
    biases = [np.random.randn(y, 1) for y in sizes[1:]]
    scale = (lambda x: 1.0) if init == "large" else (lambda x: 1.0 / np.sqrt(x))
    weights = [np.random.randn(y, x) * scale(x) for x, y in zip(sizes[:-1], sizes[1:])]
    n = len(x_all)
    order = list(range(n))
    for epoch in range(args.epochs):
        random.shuffle(order)
        for k in range(0, n, args.batch):
            idx = order[k:k + args.batch]
            a = x_all[idx].T
            activations, zs = [a], []
            for b, w in zip(biases, weights):
                z = w @ a + b
                zs.append(z)
                a = sigmoid(z)
                activations.append(a)
            delta = a - y_all[idx].T
            if cost == "quadratic":
                delta = delta * a * (1 - a)
            nabla_w = [None] * len(weights)
            nabla_b = [None] * len(biases)
            for l in range(1, len(sizes)):
                if l > 1:
                    s = activations[-l]
                    delta = (weights[-l + 1].T @ delta) * s * (1 - s)
                nabla_b[-l] = delta.sum(axis=1, keepdims=True)
                nabla_w[-l] = delta @ activations[-l - 1].T
            m = len(idx)
            weights = [(1 - args.eta * (lmbda / n)) * w - (args.eta / m) * nw
                       for w, nw in zip(weights, nabla_w)]
            biases = [b - (args.eta / m) * nb for b, nb in zip(biases, nabla_b)]
        a = test_x.T
        for b, w in zip(biases, weights):
            a = sigmoid(w @ a + b)
        correct = int((a.argmax(axis=0) == test_labels).sum())
        print(json.dumps({"epoch": epoch, "correct": correct, "total": len(test_labels)}), flush=True)


if __name__ == "__main__":
    main()
