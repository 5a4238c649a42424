#!/usr/bin/env python3
"""Moves a model between digitnet and the book's network2.py: loads a network2.py JSON file the way
network2.load does (sigmoid layers, weights as nested lists), prints its test accuracy computed
with numpy as network2.py computes it, and with --resave FILE writes it back the way
network2.save does. Usage:

  digitnet train --cost cross-entropy --eta 0.5 --save /tmp/net.json
  python3 bench/reference/network2_json.py /tmp/net.json --resave /tmp/from-python.json
  digitnet eval --model /tmp/from-python.json          # the same accuracy
"""
import argparse
import json

import numpy as np

from mnist_idx import load


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--data", default="data/mnist")
    parser.add_argument("--resave")
    args = parser.parse_args()
    with open(args.model) as f:  # network2.load
        data = json.load(f)
    weights = [np.array(w) for w in data["weights"]]
    biases = [np.array(b) for b in data["biases"]]
    _, _, test_images, test_labels = load(args.data)
    a = test_images.T / 255.0  # all test images at once, one per column
    for b, w in zip(biases, weights):
        a = sigmoid(np.dot(w, a) + b)
    correct = int(np.sum(np.argmax(a, axis=0) == test_labels))
    print(f"test: {correct} / {len(test_labels)} ({100.0 * correct / len(test_labels):.2f}%)")
    if args.resave:  # network2.save
        out = {"sizes": data["sizes"], "weights": [w.tolist() for w in weights],
               "biases": [b.tolist() for b in biases], "cost": data["cost"]}
        with open(args.resave, "w") as f:
            json.dump(out, f)


if __name__ == "__main__":
    main()
