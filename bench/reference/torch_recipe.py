"""A digitnet recipe trained in PyTorch on the CPU, as a user would write it (bench/time_to_9x).

For bench/time_to_98 and bench/time_to_99: the same model (--sizes, or a digitnet layer list
--layers with dense, conv and pool layers: bench/reference/torch_layers.py), initialisation,
cost, optimiser (plain SGD, momentum and Nesterov in torch's form, Adam), learning-rate schedule
(constant, step, plateau, one-cycle), batch, dropout placement, L2/L1 penalty and
training/validation split as digitnet's `train` with the same flags.

The defaults are bench/time_to_98's network ([784, 800, 10], ReLU, He weights, softmax output,
log-likelihood, momentum), not digitnet's: bench/reference/time_to_target.py passes every flag.

Prints one JSON object per epoch: {"epoch", "seconds" (training only), "correct", "total",
"eval_seconds"} (plus "validation_correct", "validation_total" when the schedule or early
stopping evaluates the validation set; neither evaluation is in "seconds"). --check builds the
model without data or training and prints {"check": "ok", "layers", "model", "parameters"}.

Where it differs from digitnet (see torch_layers.py for the network itself): the random numbers
(torch.manual_seed(seed): other initial weights, order and dropout masks than digitnet's for the
same seed); momentum/Nesterov in torch's form (v <- mu v + g; w <- w - eta v, equal to digitnet's
v <- mu v - eta g; w <- w + v while eta is constant, not at a step of the schedule); no
distortions (--rotation, --scale, --shear, --translation, --elastic-*: refused).
"""
import argparse
import json
import math
import sys
import time

import mnist_idx
import torch_layers

DISTORTIONS = ("rotation", "scale", "shear", "translation", "elastic_alpha", "elastic_sigma")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/mnist")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--sizes", default=None,
                       help="neurons per layer, input to output (dense layers; default 784,800,10)")
    group.add_argument("--layers", default=None,
                       help="a digitnet layer list instead of --sizes, e.g. "
                            "conv:24x5:relu,pool:2,dense:100:relu,dense:10:softmax")
    parser.add_argument("--hidden", choices=torch_layers.ACTIVATIONS[:4], default="relu")
    parser.add_argument("--output", choices=torch_layers.ACTIVATIONS, default=None,
                        help="default: softmax for the log-likelihood cost, else sigmoid")
    parser.add_argument("--cost", choices=torch_layers.COSTS, default="log-likelihood")
    parser.add_argument("--init", choices=torch_layers.INITS, default="he")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--eta", type=float, default=0.05)
    parser.add_argument("--optimizer", choices=["sgd", "momentum", "nesterov", "adam"],
                        default="momentum")
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--beta1", type=float, default=0.9)
    parser.add_argument("--beta2", type=float, default=0.999)
    parser.add_argument("--epsilon", type=float, default=1e-8)
    parser.add_argument("--schedule", choices=["constant", "step", "plateau", "one-cycle"],
                        default=None, help="default: step when --step-every > 0, else constant")
    parser.add_argument("--schedule-epochs", type=int, default=0,
                        help="the epochs one-cycle spans (default: --epochs); after them eta "
                             "stays at its end, eta/100")
    parser.add_argument("--step-every", type=int, default=0)
    parser.add_argument("--step-factor", type=float, default=1.0)
    parser.add_argument("--patience", type=int, default=10)
    parser.add_argument("--early-stopping", type=int, default=0)
    parser.add_argument("--lambda", dest="lmbda", metavar="LAMBDA", type=float, default=0.0,
                        help="weight penalty; n = training images (after --augment)")
    parser.add_argument("--regularization", choices=["l2", "l1", "none"], default=None,
                        help="default: l2 when --lambda is given")
    parser.add_argument("--dropout", type=float, default=0.0,
                        help="rate for every hidden layer's outputs without its own dropout=P")
    parser.add_argument("--augment", choices=["none", "shift"], default="none")
    for name in DISTORTIONS:
        parser.add_argument("--" + name.replace("_", "-"), type=float, default=0.0,
                            help=argparse.SUPPRESS)
    parser.add_argument("--validation-size", type=int, default=None,
                        help="images set aside from the end of the training file (digitnet's "
                             "default: 10,000 above 20,000 images, else a sixth)")
    parser.add_argument("--train-size", type=int, default=0,
                        help="train on only the first N training images (smoke tests)")
    parser.add_argument("--test-size", type=int, default=0)
    parser.add_argument("--digits", default=None, help="keep only these digits, e.g. 0,1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--stop-at", type=float, default=0.0,
                        help="stop after the first epoch with at least this test accuracy")
    parser.add_argument("--check", action="store_true",
                        help="build the model and print it as JSON; no data, no training")
    args = parser.parse_args(argv)
    distorted = [n for n in DISTORTIONS if getattr(args, n)]
    if distorted:
        parser.error("digitnet's distortions (" + ", ".join("--" + n.replace("_", "-")
                     for n in distorted) + ") are not reproduced in PyTorch: its per-epoch "
                     "distorted copies (src/data/distort.cpp) have no counterpart here; "
                     "time a recipe without them")
    if args.schedule_epochs <= 0:
        args.schedule_epochs = args.epochs
    if args.schedule is None:
        args.schedule = "step" if args.step_every > 0 else "constant"
    if args.schedule == "step" and args.step_every < 1:
        parser.error("--schedule step needs --step-every N (N >= 1)")
    if args.regularization is None:
        args.regularization = "l2" if args.lmbda > 0 else "none"
    if not 0 <= args.dropout < 1:
        parser.error("--dropout: give a rate from 0 up to (not including) 1")
    if args.output is None:
        args.output = torch_layers.default_output(args.cost)
    try:
        if args.layers is not None:
            args.layer_list = torch_layers.parse(args.layers, args.hidden, args.output)
        else:
            sizes = [int(s) for s in (args.sizes or "784,800,10").split(",")]
            args.layer_list = torch_layers.from_sizes(sizes, args.hidden, args.output)
        args.shapes = torch_layers.check(args.layer_list, args.cost)
    except (torch_layers.LayerError, ValueError) as error:
        parser.error(f"--{'layers' if args.layers is not None else 'sizes'}: {error}")
    return args


class Schedule:
    """digitnet's learning rate and stopping, decided after each epoch (training/schedule.cpp):
    step: eta * factor^floor(epoch / every); plateau: halve after `patience` epochs without a
    better validation accuracy, stop at eta/128; early stopping after N epochs without one.
    one-cycle (eta_at, batch by batch): eta/10 rising to eta over the run's first fifth, then
    falling to eta/100 at its end, each half a cosine."""

    CYCLE_WARMUP, CYCLE_START, CYCLE_END = 0.2, 0.1, 0.01

    def __init__(self, args):
        self.kind, self.every, self.factor = args.schedule, args.step_every, args.step_factor
        self.patience, self.early_stopping = args.patience, args.early_stopping
        self.initial = self.eta = args.eta
        self.best = None
        self.since_best = self.since_change = 0

    def eta_at(self, progress):
        """The rate of a batch `progress` (0 to 1) of the way through the run's images."""
        if self.kind != "one-cycle":
            return self.eta
        def half_cosine(start, end, t):
            return end + (start - end) * (1 + math.cos(math.pi * t)) / 2
        if progress < self.CYCLE_WARMUP:
            return self.initial * half_cosine(self.CYCLE_START, 1, progress / self.CYCLE_WARMUP)
        t = min(1.0, (progress - self.CYCLE_WARMUP) / (1 - self.CYCLE_WARMUP))
        return self.initial * half_cosine(1, self.CYCLE_END, t)

    def needs_validation(self):
        return self.kind == "plateau" or self.early_stopping > 0

    def after_epoch(self, epoch, validation_accuracy):
        """Sets the next epoch's eta; returns why to stop, or ""."""
        if validation_accuracy is not None:
            if self.best is None or validation_accuracy > self.best:
                self.best, self.since_best, self.since_change = validation_accuracy, 0, 0
            else:
                self.since_best += 1
                self.since_change += 1
        if self.kind == "step":
            self.eta = self.initial * math.pow(self.factor, (epoch + 1) // self.every)
        elif self.kind == "plateau" and self.since_change >= self.patience:
            self.eta /= 2
            self.since_change = 0
            if self.eta <= self.initial / 128 * (1 + 1e-12):
                return f"the learning rate fell to {self.eta:g}"
        if self.early_stopping > 0 and self.since_best >= self.early_stopping:
            return f"early stopping: no better validation accuracy for {self.since_best} epochs"
        return ""


def load_data(args):
    """digitnet's data for these flags (data/dataset.cpp, data/prepare.cpp): validation = the
    last --validation-size training images, then --digits, --train-size, --test-size, then
    --augment shift (each image followed by its four one-pixel shifts)."""
    import numpy as np
    images, labels, test_images, test_labels, validation_images, validation_labels = \
        mnist_idx.load(args.data, validation_size=args.validation_size, with_validation=True)
    if args.digits:
        keep = [int(d) for d in args.digits.split(",")]
        pick = lambda x, y: (x[np.isin(y, keep)], y[np.isin(y, keep)])
        images, labels = pick(images, labels)
        test_images, test_labels = pick(test_images, test_labels)
        validation_images, validation_labels = pick(validation_images, validation_labels)
    if args.train_size:
        images, labels = images[:args.train_size], labels[:args.train_size]
    if args.test_size:
        test_images, test_labels = test_images[:args.test_size], test_labels[:args.test_size]
    if args.augment == "shift":
        images, labels = mnist_idx.expand_by_shifts(images, labels)
    return images, labels, test_images, test_labels, validation_images, validation_labels


def make_optimizer(model, args, n):
    """The optimiser, with digitnet's L2 penalty (lambda/2n) sum w^2 on weights, not biases,
    as torch's weight_decay = lambda/n (added to the gradient before momentum or Adam, as
    digitnet's optimizer.cpp does; for plain SGD the same as digitnet's shrink by
    1 - eta lambda/n). Returns (optimizer, a function adding the L1 penalty's gradient or None)."""
    import torch
    rate = args.lmbda / n
    parameters = model.parameters()
    l1 = None
    if args.regularization != "none" and args.lmbda > 0:
        weights, biases = torch_layers.weights_and_biases(model)
        if args.regularization == "l2":
            parameters = [{"params": weights, "weight_decay": rate},
                          {"params": biases, "weight_decay": 0.0}]
        else:  # L1: (lambda/n) sum |w|, gradient (lambda/n) sgn(w), for every optimiser
            def l1():
                with torch.no_grad():
                    for w in weights:
                        w.grad.add_(torch.sign(w), alpha=rate)
    if args.optimizer == "adam":
        optimizer = torch.optim.Adam(parameters, lr=args.eta, betas=(args.beta1, args.beta2),
                                     eps=args.epsilon)
    elif args.optimizer == "sgd":
        optimizer = torch.optim.SGD(parameters, lr=args.eta)
    else:
        optimizer = torch.optim.SGD(parameters, lr=args.eta, momentum=args.momentum,
                                    nesterov=args.optimizer == "nesterov")
    return optimizer, l1


def main():
    args = parse_args()
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    layers = args.layer_list
    if args.check:
        model = torch_layers.build(layers, args.shapes, args.cost, args.init, args.dropout)
        print(json.dumps({"check": "ok", "layers": torch_layers.to_string(layers),
                          "model": " ".join(str(model).split()),
                          "parameters": sum(p.numel() for p in model.parameters())}))
        return 0

    images, labels, test_images, test_labels, validation_images, validation_labels = load_data(args)
    shape = (-1,) + torch_layers.IMAGE if torch_layers.takes_image(layers) else (-1, images.shape[1])
    as_input = lambda a: torch.from_numpy(a.astype(np.float32) / 255.0).reshape(shape)
    x_train, y_train = as_input(images), torch.from_numpy(labels.astype(np.int64))
    x_test, y_test = as_input(test_images), torch.from_numpy(test_labels.astype(np.int64))

    model = torch_layers.build(layers, args.shapes, args.cost, args.init, args.dropout)
    loss_fn = torch_layers.loss(args.cost)
    n = x_train.shape[0]
    optimizer, l1 = make_optimizer(model, args, n)
    schedule = Schedule(args)
    x_validation = y_validation = None
    if schedule.needs_validation():
        if validation_images.shape[0] == 0:
            sys.exit("torch_recipe.py: the schedule or early stopping needs validation images")
        x_validation = as_input(validation_images)
        y_validation = torch.from_numpy(validation_labels.astype(np.int64))
    # The whole test set in one product as before for dense networks; convolutions' outputs
    # for 10,000 images would take gigabytes, so they go through in slices.
    eval_batch = 1000 if torch_layers.takes_image(layers) else max(1, x_test.shape[0])

    def correct_of(x, y):
        model.eval()
        with torch.no_grad():
            count = sum(int((model(x[k:k + eval_batch]).argmax(dim=1) == y[k:k + eval_batch]).sum())
                        for k in range(0, x.shape[0], eval_batch))
        model.train()
        return count

    model.train()
    for epoch in range(args.epochs):
        for group in optimizer.param_groups:
            group["lr"] = schedule.eta
        start = time.perf_counter()
        order = torch.randperm(n)
        for k in range(0, n, args.batch):
            if schedule.kind == "one-cycle":
                for group in optimizer.param_groups:
                    group["lr"] = schedule.eta_at((epoch * n + k) / (args.schedule_epochs * n))
            index = order[k:k + args.batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[index]), y_train[index])
            loss.backward()
            if l1 is not None:
                l1()
            optimizer.step()
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        correct = correct_of(x_test, y_test)
        eval_seconds = time.perf_counter() - start
        record = {"epoch": epoch, "seconds": seconds, "correct": correct,
                  "total": int(x_test.shape[0]), "eval_seconds": eval_seconds}
        validation_accuracy = None
        if x_validation is not None:
            record["validation_correct"] = correct_of(x_validation, y_validation)
            record["validation_total"] = int(x_validation.shape[0])
            validation_accuracy = record["validation_correct"] / record["validation_total"]
        print(json.dumps(record), flush=True)
        stop = schedule.after_epoch(epoch, validation_accuracy)
        if stop:
            print(f"torch_recipe.py: stopped after epoch {epoch}: {stop}", file=sys.stderr)
            break
        if args.stop_at and correct >= args.stop_at * x_test.shape[0]:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
