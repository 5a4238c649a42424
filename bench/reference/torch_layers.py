"""digitnet's layer lists as PyTorch models, for bench/reference/torch_recipe.py.

One place for each rule digitnet has about a network, mirrored from its sources:
  the grammar           src/network/layer_spec.cpp (parse_layer_list, dropout=P)
  the kinds' rules      src/network/layers/{dense,conv,pool}.cpp (Kind::check)
  the whole network     src/network/architecture.cpp (architecture_problem, default_output)
  dropout placement     src/training/dropout.cpp (dropout_rates: each layer's OUTPUT, every
                        layer but the last: its own dropout=P, else the recipe's --dropout)
  initialisation        src/network/initialization.cpp (normal, scaled-normal, he, glorot)
  the cost              src/network/cost.cpp (per example summed over outputs, batch mean)

Layer list: comma-separated items kind[:NUMBERS][:activation][:option...]
  dense:N[:activation]                      fully connected, N outputs; an image input is
                                            flattened in NCHW order (torch.nn.Flatten)
  conv:MAPSxK[xK][:activation][:valid|:same] Conv2d(C, MAPS, K), stride 1; valid (default) no
                                            padding, same pads (K-1)/2 (K odd)
  pool:P[xP]                                MaxPool2d(P) (stride P, floor), no activation
  any layer: :dropout=P                     its outputs dropped with probability P (inverted)
A layer without an activation gets `hidden`, the last one `output` (pool: identity).

Only the standard library is needed to parse and check a list (parse, check, to_string);
build() and loss() import torch.
"""
import math
import re

ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity", "softmax")
COSTS = ("quadratic", "cross-entropy", "log-likelihood")
INITS = ("normal", "scaled-normal", "he", "glorot")
TAKES_ACTIVATION = {"dense": True, "conv": True, "pool": False}
IMAGE = (1, 28, 28)  # MNIST's images: channels, height, width
CLASSES = 10
_MAX_NUMBER = 1 << 24
_DROPOUT = "dropout="


class LayerError(ValueError):
    """A layer list digitnet would refuse (the message says why, as digitnet does)."""


def default_output(cost):
    """The output activation when the recipe names none (architecture.cpp)."""
    return "softmax" if cost == "log-likelihood" else "sigmoid"


def _numbers(text):
    numbers = []
    for part in text.split("x"):
        if not re.fullmatch(r"[0-9]+", part) or int(part) > _MAX_NUMBER:
            return None
        numbers.append(int(part))
    return numbers


def _rate(option):
    """The P of "dropout=P" when it is a number in [0, 1), else None."""
    text = option[len(_DROPOUT):]
    if not re.fullmatch(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?", text):
        return None
    rate = float(text)
    return rate if 0 <= rate < 1 else None


def parse(text, hidden, output):
    """The layer list `text` as [{"kind", "numbers", "activation", "options", "dropout"}]
    (dropout: the layer's own rate or None), activations defaulted as digitnet does."""
    items = text.split(",")
    layers = []
    for l, item in enumerate(items):
        where = f"layer {l + 1} '{item}': "
        parts = item.split(":")
        if not parts[0]:
            raise LayerError(where + "give a kind and its numbers, e.g. dense:100")
        spec = {"kind": parts[0], "numbers": [], "activation": None, "options": [],
                "dropout": None}
        rest = parts[1:]
        if rest and rest[0] and (rest[0][0].isdigit() or rest[0][0] in "+-"):
            numbers = _numbers(rest[0])
            if numbers is None:
                raise LayerError(where + f"'{rest[0]}' is not a list of whole numbers such as "
                                 "100 or 20x5x5")
            spec["numbers"] = numbers
            rest = rest[1:]
        for part in rest:
            if part in ACTIVATIONS:
                if spec["activation"] is not None:
                    raise LayerError(where + "give one activation")
                spec["activation"] = part
            else:
                spec["options"].append(part)
        if spec["activation"] is None:
            spec["activation"] = ("identity" if not TAKES_ACTIVATION.get(spec["kind"], True)
                                  else hidden if l + 1 < len(items) else output)
        layers.append(spec)
    return layers


def from_sizes(sizes, hidden, output):
    """--sizes 784,800,10 as the layer list digitnet makes of it (Architecture::of)."""
    if len(sizes) < 2:
        raise LayerError("give at least two layer sizes, input to output, e.g. 784,30,10")
    if sizes[0] != IMAGE[0] * IMAGE[1] * IMAGE[2]:
        raise LayerError(f"the first size must be the image size, {IMAGE[1] * IMAGE[2]}")
    return [{"kind": "dense", "numbers": [n], "activation": hidden if l + 2 < len(sizes) else output,
             "options": [], "dropout": None} for l, n in enumerate(sizes[1:])]


def to_string(layers):
    """digitnet's spelling of a list (layer_spec.cpp to_string), dropout options included."""
    items = []
    for spec in layers:
        text = spec["kind"] + "".join((":" if i == 0 else "x") + str(n)
                                      for i, n in enumerate(spec["numbers"]))
        items.append(":".join([text, spec["activation"]] + spec["options"]))
    return ",".join(items)


def _shape_text(shape):
    return "x".join(str(s) for s in shape) if len(shape) == 3 else str(shape[0])


def _kind_output(spec, shape):
    """The output shape of `spec` after an input of `shape` ((C, H, W) or (N,)), or a
    LayerError with the kind's reason (the Kind::check functions)."""
    kind, n = spec["kind"], spec["numbers"]
    options = [o for o in spec["options"] if not o.startswith(_DROPOUT)]
    if kind == "dense":
        if len(n) != 1 or n[0] < 1:
            raise LayerError("a dense layer takes one number, its neurons (dense:100)")
        if options:
            raise LayerError(f"a dense layer takes no option '{options[0]}'")
        return (n[0],)
    if kind == "conv":
        if len(n) not in (2, 3) or n[0] < 1 or n[1] < 1:
            raise LayerError("a convolution takes its maps and kernel size (conv:20x5 or "
                             "conv:20x5x5)")
        if len(n) == 3 and n[2] != n[1]:
            raise LayerError(f"a convolution's kernel is square: give conv:{n[0]}x{n[1]}x{n[1]}")
        for option in options:
            if option not in ("valid", "same"):
                raise LayerError(f"a convolution takes the option valid or same, not '{option}'")
        if len(options) > 1:
            raise LayerError("give one of valid and same")
        if spec["activation"] == "softmax":
            raise LayerError("a convolution cannot end in softmax; put a dense softmax layer "
                             "after it")
        if len(shape) != 3:
            raise LayerError("a convolution needs an image input (channels x height x width)")
        c, h, w = shape
        k = n[1]
        if "same" in options:
            if k % 2 == 0:
                raise LayerError(f"same padding needs an odd kernel size, not {k}")
            return (n[0], h, w)
        if k > h or k > w:
            raise LayerError(f"a {k}x{k} kernel does not fit its input without padding (add :same)")
        return (n[0], h - k + 1, w - k + 1)
    if kind == "pool":
        if len(n) not in (1, 2) or n[0] < 1:
            raise LayerError("a pooling layer takes its window size (pool:2 or pool:2x2)")
        if len(n) == 2 and n[1] != n[0]:
            raise LayerError(f"a pooling window is square: give pool:{n[0]}")
        if options:
            raise LayerError(f"a pooling layer takes no option '{options[0]}'")
        if spec["activation"] != "identity":
            raise LayerError("a pooling layer takes no activation (its values are its input's)")
        if len(shape) != 3:
            raise LayerError("a pooling layer needs an image input (channels x height x width)")
        c, h, w = shape
        if n[0] > h or n[0] > w:
            raise LayerError(f"a {n[0]}x{n[0]} window does not fit its input")
        return (c, h // n[0], w // n[0])
    raise LayerError(f"unknown kind '{kind}'; the kinds are dense, conv, pool")


def check(layers, cost):
    """The shapes, input to output, of a classifier of MNIST's images made of `layers` with
    `cost`; a LayerError where digitnet would refuse it. Sets each layer's "dropout"."""
    if cost not in COSTS:
        raise LayerError(f"cost '{cost}': choose from {', '.join(COSTS)}")
    if not layers:
        raise LayerError("a network needs at least one layer")
    # A dense first layer reads the image as its 784 values; the others see it as 1x28x28.
    shape = IMAGE if layers[0]["kind"] != "dense" else (IMAGE[0] * IMAGE[1] * IMAGE[2],)
    shapes = [shape]
    for l, spec in enumerate(layers):
        where = f"layer {l + 1} ({to_string([spec])}): "
        rates = [o for o in spec["options"] if o.startswith(_DROPOUT)]
        if len(rates) > 1:
            raise LayerError(where + "give dropout= once")
        if rates:
            spec["dropout"] = _rate(rates[0])
            if spec["dropout"] is None:
                raise LayerError(where + f"{rates[0]}: give a rate from 0 up to (not including) "
                                 "1, e.g. dropout=0.5")
            if spec["dropout"] > 0 and l + 1 == len(layers):
                raise LayerError(where + "the output layer cannot be dropped out; give "
                                 "dropout= to a hidden layer")
        try:
            shape = _kind_output(spec, shape)
        except LayerError as error:
            raise LayerError(where + f"{error} (its input is {_shape_text(shape)})") from None
        if spec["activation"] == "softmax" and l + 1 < len(layers):
            raise LayerError(where + "softmax is only possible on the output layer")
        shapes.append(shape)
    output = layers[-1]["activation"]
    if output == "softmax" and cost != "log-likelihood":
        raise LayerError(f"a softmax output layer goes with the log-likelihood cost, not {cost}")
    if cost == "log-likelihood" and output != "softmax":
        raise LayerError(f"the log-likelihood cost needs a softmax output layer, not {output}")
    if cost == "cross-entropy" and output != "sigmoid":
        raise LayerError(f"the cross-entropy cost needs a sigmoid output layer, not {output}")
    if math.prod(shapes[-1]) != CLASSES:
        raise LayerError(f"the last layer must have {CLASSES} outputs, one per digit, not "
                         f"{math.prod(shapes[-1])}")
    return shapes


def dropout_rates(layers, hidden_rate):
    """Each layer's output dropout rate: its own dropout=P, else `hidden_rate`; 0 for the last."""
    return [0.0 if l + 1 == len(layers) else (spec["dropout"] if spec["dropout"] is not None
                                               else hidden_rate)
            for l, spec in enumerate(layers)]


def takes_image(layers):
    """Whether the model's input is N x 1 x 28 x 28 (else N x 784)."""
    return layers[0]["kind"] != "dense"


def _init(module, init):
    """digitnet's initialisation of a layer's weights and biases, with torch's own functions
    where they compute the same (fans as digitnet's: dense n_in/n_out, conv C*k*k/maps*k*k)."""
    import torch
    w, b = module.weight, module.bias
    if init == "he":  # N(0, 2/fan_in)
        torch.nn.init.kaiming_normal_(w, nonlinearity="relu")
    elif init == "glorot":  # N(0, 2/(fan_in + fan_out))
        torch.nn.init.xavier_normal_(w)
    elif init == "scaled-normal":  # N(0, 1/fan_in)
        torch.nn.init.kaiming_normal_(w, nonlinearity="linear")
    else:  # normal: N(0, 1)
        torch.nn.init.normal_(w, 0.0, 1.0)
    if init in ("he", "glorot"):
        torch.nn.init.zeros_(b)
    else:
        torch.nn.init.normal_(b, 0.0, 1.0)


def build(layers, shapes, cost, init, hidden_rate):
    """A torch.nn.Sequential computing what digitnet's network does, the last layer's
    activation left to loss() where the cost fuses it (softmax, sigmoid with cross-entropy).
    Each layer is made and initialised in turn (torch's random stream: module, weights, bias)."""
    import torch
    if init not in INITS:
        raise LayerError(f"init '{init}': choose from {', '.join(INITS)}")
    rates = dropout_rates(layers, hidden_rate)
    modules = []
    for l, spec in enumerate(layers):
        given, made = shapes[l], shapes[l + 1]
        if spec["kind"] == "dense":
            if len(given) == 3:
                modules.append(torch.nn.Flatten())
            layer = torch.nn.Linear(math.prod(given), made[0])
            _init(layer, init)
        elif spec["kind"] == "conv":
            k = spec["numbers"][1]
            pad = (k - 1) // 2 if "same" in spec["options"] else 0
            layer = torch.nn.Conv2d(given[0], made[0], k, stride=1, padding=pad)
            _init(layer, init)
        else:
            layer = torch.nn.MaxPool2d(spec["numbers"][0])
        modules.append(layer)
        last = l + 1 == len(layers)
        activation = spec["activation"]
        if last and cost in ("log-likelihood", "cross-entropy"):
            activation = "identity"  # logits: the loss applies the softmax or the sigmoid
        if activation != "identity":
            modules.append({"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh,
                            "relu": torch.nn.ReLU, "softmax": lambda: torch.nn.Softmax(1)}
                           [activation]())
        if rates[l] > 0:
            modules.append(torch.nn.Dropout(rates[l]))
    return torch.nn.Sequential(*modules)


def loss(cost):
    """The batch's cost as digitnet defines it: per example summed over the outputs, mean over
    the batch, from build()'s outputs (logits for log-likelihood and cross-entropy)."""
    import torch
    if cost == "log-likelihood":
        return torch.nn.CrossEntropyLoss()
    if cost == "cross-entropy":
        bce = torch.nn.BCEWithLogitsLoss(reduction="sum")
        return lambda out, y: bce(out, torch.nn.functional.one_hot(y, CLASSES).to(out.dtype)) / out.shape[0]
    mse = torch.nn.MSELoss(reduction="sum")
    return lambda out, y: 0.5 * mse(out, torch.nn.functional.one_hot(y, CLASSES).to(out.dtype)) / out.shape[0]


def weights_and_biases(model):
    """(weights, biases) of the model: digitnet's penalties apply to weights only."""
    weights, biases = [], []
    for name, parameter in model.named_parameters():
        (weights if name.endswith("weight") else biases).append(parameter)
    return weights, biases
