"""The modern API's training: digitnet.train(...), the CLI's flags as keyword arguments."""
import tomllib

from . import _digitnet
from .mnist_loader import _data_dir
from .models import Model

# Keyword (the CLI's flag without dashes, '-' as '_') -> the library's field name, where they
# differ. `lambda` is a Python keyword: it is spelled lmbda, as the book's network2 does.
_FIELDS = {"batch": "mini_batch_size", "lmbda": "lambda"}
_KEYWORDS = {field: keyword for keyword, field in _FIELDS.items()}
_ARCHITECTURE = ("layers", "sizes", "hidden", "output", "cost", "init")
# The data's keywords (the library's DataPreparation and load_mnist's validation_size).
_DATA = ("train_size", "test_size", "validation_size", "digits", "augment")
# Recipe keys that only the command line has: files it writes, its terminal output. Use
# model.save(path) for --save and the returned history for --metrics.
_CLI_ONLY = ("save", "metrics", "checkpoint", "resume", "quiet", "no_test")


def _spelled(error):
    """The library's message with the option spelled as this API's keyword."""
    keyword = _KEYWORDS.get(error.option, error.option)
    return "%s%s: %s" % (keyword, " " + error.value if error.value else "", error.advice)


def train(recipe=None, data=None, verbose=True, images=None, labels=None, **options):
    """Trains a network on MNIST and returns (model, history).

    recipe: a recipes/*.toml file (its [train] keys); keyword arguments override it. The
    keywords are digitnet train's flags: layers="conv:20x5:relu,pool:2,dense:10:softmax" or
    sizes=[784, 30, 10], hidden, output, cost, init, epochs, batch, eta, seed, threads, lmbda
    (the flag --lambda), regularization, dropout, optimizer, momentum, beta1, beta2, epsilon,
    schedule, step_every, step_factor, patience, early_stopping, keep_best, rotation, scale,
    shear, translation, elastic_alpha, elastic_sigma, monitor (a list of training-cost,
    training-accuracy, validation-cost, validation-accuracy, gradients). The data's: train_size
    and test_size keep the first images, validation_size sets images aside from the end of the
    training file, digits=[0, 1] keeps only those digits, augment="shift" adds the one-pixel
    shifts. Defaults are digitnet train's (the book's network.py). data: a folder of MNIST IDX
    files (default the bundled one). history: one dict per epoch (epoch, test_correct,
    test_total, training_cost, training_correct, validation_correct, validation_cost,
    gradient_norms (one per layer, with monitor=["gradients"]), eta, seconds). verbose prints
    the book's "Epoch j: c / n" lines. Bad values raise ValueError naming the keyword, as the CLI names
    the flag. images and labels (N x 28 x 28 or N x 784, and N digits) train on those arrays
    instead of MNIST's files (no test set then)."""
    settings = {}
    if recipe is not None:
        with open(recipe, "rb") as f:
            table = tomllib.load(f).get("train", {})
        settings.update({key.replace("-", "_"): value for key, value in table.items()})
        if "lambda" in settings:
            settings["lmbda"] = settings.pop("lambda")
    settings.update(options)
    unsupported = [key for key in settings if key in _CLI_ONLY]
    if unsupported:
        raise ValueError("%s: only `digitnet train` has this option so far" % unsupported[0])
    spec = {key: settings.pop(key) for key in _ARCHITECTURE if key in settings}
    data_options = {key: settings.pop(key) for key in _DATA if key in settings}
    if isinstance(settings.get("monitor"), str):
        settings["monitor"] = [settings["monitor"]]
    if "sizes" in spec:
        spec["sizes"] = [int(s) for s in spec["sizes"]]
    fields = {_FIELDS.get(key, key): value for key, value in settings.items()}

    def on_epoch(j, correct, total):
        if verbose:
            print("Epoch {0}: {1} / {2}".format(j, correct, total) if correct is not None
                  else "Epoch {0} complete".format(j))

    try:
        if images is not None:
            import numpy as np
            from .models import _as_images
            images = _as_images(images, 784)
            labels = np.ascontiguousarray(np.asarray(labels), dtype=np.uint8)
        native, history = _digitnet.train(spec, fields, data_options, _data_dir(data), on_epoch,
                                          images, labels)
    except _digitnet.OptionError as error:
        raise ValueError(_spelled(error)) from None
    return Model(native), history
