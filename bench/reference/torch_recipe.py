"""A ReLU network with a softmax output in PyTorch on the CPU, as a user would write it, for
bench/time_to_98: the same model (ReLU hidden layers, He-normal weights, zero biases, softmax
output), cost (cross-entropy of the softmax, mean over the batch), optimiser (SGD with momentum,
torch's form, or Adam) and step schedule (lr x factor every N epochs) as digitnet's recipe.

Prints one JSON object per epoch: {"epoch", "seconds" (training only), "correct", "total",
"eval_seconds"}.
"""
import argparse
import json
import time

import numpy as np
import torch

import mnist_idx


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/mnist")
    parser.add_argument("--sizes", default="784,800,10")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--eta", type=float, default=0.05)
    parser.add_argument("--optimizer", choices=["momentum", "adam"], default="momentum")
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--step-every", type=int, default=0)
    parser.add_argument("--step-factor", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--stop-at", type=float, default=0.0,
                        help="stop after the first epoch with at least this test accuracy")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    images, labels, test_images, test_labels = mnist_idx.load(args.data)
    x_train = torch.from_numpy(images.astype(np.float32) / 255.0)
    y_train = torch.from_numpy(labels.astype(np.int64))
    x_test = torch.from_numpy(test_images.astype(np.float32) / 255.0)
    y_test = torch.from_numpy(test_labels.astype(np.int64))

    sizes = [int(s) for s in args.sizes.split(",")]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        linear = torch.nn.Linear(n_in, n_out)
        torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        torch.nn.init.zeros_(linear.bias)
        layers += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])  # logits; the loss applies the softmax
    if args.optimizer == "momentum":
        optimizer = torch.optim.SGD(model.parameters(), lr=args.eta, momentum=args.momentum)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=args.eta)
    schedule = (torch.optim.lr_scheduler.StepLR(optimizer, args.step_every, args.step_factor)
                if args.step_every > 0 else None)
    loss_fn = torch.nn.CrossEntropyLoss()

    n = x_train.shape[0]
    for epoch in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(n)
        for k in range(0, n, args.batch):
            index = order[k:k + args.batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[index]), y_train[index])
            loss.backward()
            optimizer.step()
        if schedule is not None:
            schedule.step()
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        with torch.no_grad():
            correct = int((model(x_test).argmax(dim=1) == y_test).sum())
        eval_seconds = time.perf_counter() - start
        print(json.dumps({"epoch": epoch, "seconds": seconds, "correct": correct,
                          "total": int(x_test.shape[0]), "eval_seconds": eval_seconds}), flush=True)
        if args.stop_at and correct >= args.stop_at * x_test.shape[0]:
            break


if __name__ == "__main__":
    main()
