"""What bench/time_to_98 and bench/time_to_99 share: digitnet's recipe against the same recipe in
PyTorch (bench/reference/torch_recipe.py, 2 threads), run alternately, seeds 1..N, medians.

Time to the target = the training seconds of every epoch up to and including the first whose
test accuracy is at least the target (evaluations between epochs not counted, for either
program). digitnet trains the recipe as written (its `epochs`); PyTorch gets the recipe's every
other key (digitnet's defaults filled in for those it leaves out, checked against
`digitnet train --help`) and --torch-epochs epochs, stopping at the target.

Standard library only (runs under any Python 3.11+); the PyTorch program runs under
/usr/bin/python3 (Debian's, which has numpy and torch).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIGITNET = os.path.join(ROOT, "build", "release", "digitnet")
TORCH_RECIPE = os.path.join(ROOT, "bench", "reference", "torch_recipe.py")
PYTHON = "/usr/bin/python3"
sys.path.insert(0, os.path.join(ROOT, "bench", "reference"))
import blas_info  # noqa: E402  (standard library only at import)

TORCH_LABEL = "PyTorch (torch_recipe.py, 2 threads)"

# digitnet train's defaults (`digitnet train --help`) for the keys a recipe may leave out, as
# torch_recipe.py's flags; torch_recipe.py's own defaults are time_to_98's network, not these.
DIGITNET_DEFAULTS = {
    "sizes": "784,30,10", "batch": 10, "eta": 3.0, "hidden": "sigmoid", "cost": "quadratic",
    "init": "normal", "lambda": 0.0, "dropout": 0.0, "optimizer": "sgd", "momentum": 0.9,
    "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-08, "schedule": "constant", "step-every": 10,
    "step-factor": 0.5, "patience": 10, "early-stopping": 0, "augment": "none",
    "rotation": 0.0, "scale": 0.0, "shear": 0.0, "translation": 0.0, "elastic-alpha": 0.0,
    "elastic-sigma": 0.0, "data": "data/mnist",
}
# Passed to torch_recipe.py only when the recipe gives them (their defaults depend on others).
PASSED_WHEN_GIVEN = ("layers", "output", "regularization", "validation-size", "train-size",
                     "test-size", "digits")
# Recipe keys that change neither the training nor the per-epoch test accuracies.
NOT_FOR_TORCH = ("epochs", "seed", "threads", "quiet", "metrics", "save", "monitor",
                 "keep-best", "checkpoint")


def _flag_value(value):
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def torch_flags(recipe):
    """torch_recipe.py's flags for a recipe's [train] table (without --epochs, --seed,
    --threads, --stop-at); exits naming any key it cannot carry over."""
    unknown = [k for k in recipe
               if k not in DIGITNET_DEFAULTS and k not in PASSED_WHEN_GIVEN and k not in NOT_FOR_TORCH]
    if unknown:
        sys.exit(f"the recipe's {', '.join(unknown)} cannot be carried over to the PyTorch "
                 f"program (bench/reference/torch_recipe.py): time a recipe without "
                 f"{'it' if len(unknown) == 1 else 'them'}")
    flags = []
    for key, default in DIGITNET_DEFAULTS.items():
        if key == "sizes" and "layers" in recipe:
            continue
        flags += ["--" + key, _flag_value(recipe.get(key, default))]
    for key in PASSED_WHEN_GIVEN:
        if key in recipe:
            flags += ["--" + key, _flag_value(recipe[key])]
    return flags


def check_defaults(digitnet=DIGITNET):
    """Exits when `digitnet train --help` shows a default other than DIGITNET_DEFAULTS' (the
    PyTorch program would then train something else); says nothing when all agree or the
    binary is not there yet (its run fails later, as without this check)."""
    try:
        text = subprocess.run([digitnet, "train", "--help"], capture_output=True, text=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return
    shown = dict(re.findall(r"^\s+--([a-z0-9-]+) [A-Z][A-Z,.]*=(\S+)", text, re.MULTILINE))
    differ = []
    for key, value in DIGITNET_DEFAULTS.items():
        if key not in shown:
            continue
        same = (float(shown[key]) == float(value) if isinstance(value, (int, float))
                else shown[key] == str(value))
        if not same:
            differ.append(f"--{key} {shown[key]} (time_to_target.py assumes {value})")
    if differ:
        sys.exit("digitnet train's defaults have changed: " + "; ".join(differ) +
                 ": update DIGITNET_DEFAULTS in bench/reference/time_to_target.py")


def check_torch(recipe, env):
    """torch_recipe.py --check on the recipe's flags: its model as JSON, or exit with why not."""
    done = subprocess.run([PYTHON, TORCH_RECIPE, "--check"] + torch_flags(recipe), cwd=ROOT,
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit("the PyTorch program refuses the recipe: " +
                 (done.stderr.strip().splitlines() or ["no output"])[-1])
    return json.loads(done.stdout.splitlines()[-1])


def time_to_target(epochs, target):
    """(seconds to the first epoch at `target` or None, accuracy per epoch)."""
    total = 0.0
    for e in epochs:
        total += e["seconds"]
        if e["correct"] >= target * e["total"]:
            return total, [x["correct"] / x["total"] for x in epochs]
    return None, [x["correct"] / x["total"] for x in epochs]


def run_digitnet(recipe_path, seed):
    with tempfile.TemporaryDirectory() as tmp:
        metrics = os.path.join(tmp, "metrics.jsonl")
        subprocess.run([DIGITNET, "train", "--recipe", recipe_path, "--seed", str(seed),
                        "--threads", "2", "--metrics", metrics], cwd=ROOT, check=True,
                       capture_output=True)
        with open(metrics) as f:
            lines = [json.loads(line) for line in f]
    return [{"seconds": l["seconds"], "correct": l["test_correct"], "total": l["test_total"]}
            for l in lines]


def run_torch(recipe, seed, epochs, target, env=None):
    command = ([PYTHON, TORCH_RECIPE] + torch_flags(recipe) +
               ["--epochs", str(epochs), "--seed", str(seed), "--threads", "2",
                "--stop-at", str(target), "--schedule-epochs", str(recipe.get("epochs", 30))])
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True,
                            env=env).stdout
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def main(tool, doc, recipe_path, target, torch_epochs=None, describe=False):
    """The benchmark: `tool` names it in messages, `doc` is its script's docstring (the first
    line describes it), torch_epochs the default of --torch-epochs (None: twice the recipe's
    epochs), describe whether to print the recipe and PyTorch's model before timing."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--torch-epochs", type=int, default=torch_epochs,
                        help="most epochs PyTorch may take to reach the target" +
                             ("" if torch_epochs else " (default: twice the recipe's epochs)"))
    blas_info.add_arguments(parser)
    args = parser.parse_args()
    if not os.path.exists(recipe_path):
        sys.exit(f"{tool}: {os.path.relpath(recipe_path, ROOT)}: no such recipe")
    with open(recipe_path, "rb") as f:
        recipe = tomllib.load(f)["train"]
    if args.torch_epochs is None:
        args.torch_epochs = 2 * int(recipe.get("epochs", 30))
    # The PyTorch program's environment: os.environ less OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE.
    torch_env = blas_info.preflight(tool, [(TORCH_LABEL, ("numpy", "torch"), {}, 2)], args)
    check_defaults()
    model = check_torch(recipe, torch_env)
    if describe:
        print(f"Recipe: {os.path.relpath(recipe_path, ROOT)}, layers {model['layers']}; "
              f"PyTorch: {model['parameters']} parameters, up to {args.torch_epochs} epochs, "
              f"{model['model']}", flush=True)
    print(flush=True)
    results = {"digitnet": [], "PyTorch": []}
    for rep in range(args.reps):
        seed = rep + 1
        for name, run in (("digitnet", lambda: run_digitnet(recipe_path, seed)),
                          ("PyTorch", lambda: run_torch(recipe, seed, args.torch_epochs, target,
                                                        torch_env))):
            seconds, accuracies = time_to_target(run(), target)
            results[name].append(seconds)
            shown = ", ".join(f"{100 * a:.2f}%" for a in accuracies)
            print(f"{name} seed {seed}: " +
                  (f"{seconds:.2f} s to {100 * target:.1f}%" if seconds else "target not reached") +
                  f" (test accuracy by epoch: {shown})", flush=True)
    print(f"\n| program | median seconds to {100 * target:.1f}% | runs reaching it |")
    print("| --- | --- | --- |")
    for name, times in results.items():
        reached = [t for t in times if t is not None]
        median = f"{statistics.median(reached):.2f}" if reached else "—"
        print(f"| {name} | {median} | {len(reached)} of {len(times)} |")
    d = [t for t in results["digitnet"] if t is not None]
    p = [t for t in results["PyTorch"] if t is not None]
    if d and p:
        print(f"\nPyTorch / digitnet: {statistics.median(p) / statistics.median(d):.1f}x")
    return 0
