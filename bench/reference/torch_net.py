"""The seeds' network in PyTorch on the CPU, as a user would write it: the same model (sigmoid
layers), cost (quadratic, ½‖a − y‖² summed over the batch, divided by the batch size) and update
rule (plain SGD with learning rate eta, i.e. W ← W − (eta/m)·Σ∇W), float32, batched, with
N(0, 1) initial weights and biases as the seeds draw them.

Prints one JSON object per epoch: {"epoch", "seconds" (training only), "correct", "total",
"eval_seconds"}.
"""
import json
import time

import numpy as np
import torch

import mnist_idx


def sigmoid_network(sizes):
    """The seeds' model: Linear + Sigmoid per layer, N(0, 1) weights and biases, float32."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        linear = torch.nn.Linear(n_in, n_out)
        with torch.no_grad():
            linear.weight.normal_(0.0, 1.0)
            linear.bias.normal_(0.0, 1.0)
        layers += [linear, torch.nn.Sigmoid()]
    return torch.nn.Sequential(*layers)


def main():
    args = mnist_idx.parse_args(__doc__, threads=True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    images, labels, test_images, test_labels = mnist_idx.load_training(args)
    x_train = torch.from_numpy(images.astype(np.float32) / 255.0)
    y_train = torch.nn.functional.one_hot(torch.from_numpy(labels.astype(np.int64)), 10).float()
    x_test = torch.from_numpy(test_images.astype(np.float32) / 255.0)
    y_test = torch.from_numpy(test_labels.astype(np.int64))

    sizes = [int(s) for s in args.sizes.split(",")]
    model = sigmoid_network(sizes)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.eta)

    n = x_train.shape[0]
    for epoch in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(n)
        for k in range(0, n, args.batch):
            index = order[k:k + args.batch]
            x, y = x_train[index], y_train[index]
            optimizer.zero_grad(set_to_none=True)
            loss = 0.5 * ((model(x) - y) ** 2).sum() / x.shape[0]
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        with torch.no_grad():
            correct = int((model(x_test).argmax(dim=1) == y_test).sum())
        eval_seconds = time.perf_counter() - start
        print(json.dumps({"epoch": epoch, "seconds": seconds, "correct": correct,
                          "total": int(x_test.shape[0]), "eval_seconds": eval_seconds}), flush=True)


if __name__ == "__main__":
    main()
