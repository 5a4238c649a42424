"""PyTorch's latency for one picture at a time, to set beside bench/predict_latency: the same
two networks ([784,30,10] and [784,800,10], sigmoid layers) as torch.nn.Sequential(Linear,
Sigmoid, Linear, Sigmoid), float32, eval mode, under torch.inference_mode(), one 1 x 784 image
(pixels / 255, cycling through the MNIST test images) per call, warmed.

Two variants, so that PyTorch is compared at its best:
  - "eager": the nn.Sequential module called as it is;
  - "jit": the same module traced (torch.jit.trace) and frozen (torch.jit.freeze), warmed past
    the profiling executor's first runs.

Each call is timed on its own with time.perf_counter_ns. Prints one JSON line per model and
variant: {"model": "784-30-10", "variant", "p50_us", "p99_us", "mean_us", "calls", "threads"}.

  /usr/bin/python3 bench/reference/torch_latency.py [--data data/mnist] [--calls 20000]
      [--warmup 1000] [--threads 1] [--seed 1]
"""
import argparse
import json
import math
import time

import numpy as np
import torch

import mnist_idx
from torch_net import sigmoid_network

MODELS = ([784, 30, 10], [784, 800, 10])


def build(sizes):
    return sigmoid_network(sizes).float().eval()


def percentile(sorted_values, p):
    """Nearest rank, as bench/predict_latency."""
    n = len(sorted_values)
    rank = min(max(math.ceil(p / 100.0 * n), 1), n)
    return sorted_values[rank - 1]


def time_calls(model, images, calls, warmup):
    """Microseconds of each of `calls` single-image calls, after `warmup` untimed ones."""
    n = len(images)
    sink = 0
    micros = []
    with torch.inference_mode():
        for i in range(warmup):
            sink += int(model(images[i % n]).argmax())
        for i in range(calls):
            x = images[(warmup + i) % n]
            start = time.perf_counter_ns()
            out = model(x)
            stop = time.perf_counter_ns()
            sink += int(out.argmax())
            micros.append((stop - start) / 1000.0)
    return micros, sink


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="data/mnist")
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--warmup", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.calls < 1:
        parser.error("--calls must be at least 1")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    _, _, test_images, _ = mnist_idx.load(args.data)
    x = torch.from_numpy(test_images.astype(np.float32) / 255.0)
    # One contiguous 1 x 784 tensor per image, made beforehand: a call is the model alone.
    images = [x[i:i + 1].clone() for i in range(x.shape[0])]

    for sizes in MODELS:
        eager = build(sizes)
        with torch.inference_mode():
            frozen = torch.jit.freeze(torch.jit.trace(eager, images[0]))
        for variant, model in (("eager", eager), ("jit", frozen)):
            micros, _ = time_calls(model, images, args.calls, args.warmup)
            mean = sum(micros) / len(micros)
            micros.sort()
            print(json.dumps({"model": "-".join(map(str, sizes)), "variant": variant,
                              "p50_us": round(percentile(micros, 50), 3),
                              "p99_us": round(percentile(micros, 99), 3),
                              "mean_us": round(mean, 3), "calls": args.calls,
                              "threads": args.threads}), flush=True)


if __name__ == "__main__":
    main()
