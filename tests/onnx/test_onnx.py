"""digitnet's ONNX export and import against the real runtimes (CTest: onnx.runtime).

- Models digitnet trains (dense sigmoid, ReLU/softmax, tanh outputs, a CNN with same and valid
  padding) are exported, validated by ONNX's checker (Debian's python3-onnx) and run by ONNX
  Runtime (onnxruntime-node from npm, tests/onnx/run_onnx.mjs) on the 10,000 test images: the
  same digits, the same probabilities within 1e-5.
- PyTorch models (Debian's python3-torch), an nn.Sequential MLP and a small CNN trained briefly,
  exported by torch.onnx.export and imported: digitnet reads every test image as PyTorch does.
- What import cannot hold is refused, naming the node.

Needs DIGITNET_EXE, PYTHONPATH with the digitnet module, node and tests/onnx/node_modules
(scripts/setup); a missing piece skips the tests that need it.
"""
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import digitnet

HERE = Path(__file__).resolve().parent
EXE = os.environ.get("DIGITNET_EXE", "digitnet")
onnx = pytest.importorskip("onnx")


def run(*args, check=True):
    result = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"digitnet {' '.join(map(str, args))}: {result.stderr}")
    return result


@pytest.fixture(scope="module")
def mnist():
    return digitnet.datasets.mnist()


@pytest.fixture(scope="module")
def inputs(mnist):
    """The test images as digitnet feeds them: byte / 255 in float32."""
    return mnist["test_images"].astype(np.float32) / np.float32(255)


def onnx_runtime(model, x, tmp_path):
    """The first output of `model` run by ONNX Runtime on `x`."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "onnxruntime-node").is_dir():
        pytest.skip("needs node and onnxruntime-node in tests/onnx/node_modules (scripts/setup)")
    x_file, out_file = tmp_path / "x.f32", tmp_path / "out.f32"
    np.ascontiguousarray(x, dtype=np.float32).tofile(x_file)
    subprocess.run([node, HERE / "run_onnx.mjs", model, x_file, *map(str, x.shape), out_file],
                   check=True)
    return np.fromfile(out_file, dtype=np.float32).reshape(len(x), -1)


# Each: the flags that train it (briefly: the weights only need to be a trained network's).
TRAINED = {
    "sigmoid-mlp": ["--sizes", "784,30,10", "--epochs", "1"],
    "relu-softmax-mlp": ["--sizes", "784,64,10", "--hidden", "relu", "--cost", "log-likelihood",
                         "--init", "he", "--eta", "0.1", "--epochs", "1"],
    "tanh-mlp": ["--sizes", "784,32,10", "--hidden", "tanh", "--output", "tanh", "--eta", "0.1",
                 "--epochs", "1"],
    "cnn": ["--layers", "conv:8x5:relu:same,pool:2,conv:12x3:relu,pool:2,dense:32:relu,"
            "dense:10:softmax", "--cost", "log-likelihood", "--init", "he", "--eta", "0.05",
            "--train-size", "5000", "--epochs", "1"],
    # Batch normalisation, its population statistics estimated after the epoch.
    "cnn-norm": ["--layers", "conv:8x5:identity,norm:relu,pool:2,dense:32:identity,norm:tanh,"
                 "dense:10:softmax", "--cost", "log-likelihood", "--init", "he", "--eta", "0.05",
                 "--train-size", "5000", "--epochs", "1"],
}


# Model files kept in the repository (digitnet 0.1's, as users have them).
FIXTURES = HERE.parent / "files" / "fixtures"
SHIPPED = {"v1-sigmoid": FIXTURES / "v1-sigmoid-784-30-10.bin",
           "v1-relu-softmax": FIXTURES / "v1-relu-softmax-784-16-10.bin"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trained")
    models = dict(SHIPPED)
    for name, flags in TRAINED.items():
        models[name] = folder / f"{name}.model"
        run("train", *flags, "--quiet", "--save", models[name])
    return models


@pytest.mark.parametrize("name", [*SHIPPED, *TRAINED])
def test_export_runs_in_onnx_runtime_with_digitnets_readings(name, trained, mnist, inputs,
                                                             tmp_path):
    exported = tmp_path / f"{name}.onnx"
    out = run("export", "--model", trained[name], "--onnx", exported, "--trained-with", name)
    assert "test accuracy" in out.stdout
    model = onnx.load(exported)
    onnx.checker.check_model(model, full_check=True)
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["digitnet.recipe"] == name
    assert meta["digitnet.test_accuracy"].endswith("MNIST test set)")

    conv = name.startswith("cnn")
    x = inputs.reshape(-1, 1, 28, 28) if conv else inputs.reshape(-1, 784)
    ours = digitnet.load(trained[name]).predict_proba(mnist["test_images"])
    theirs = onnx_runtime(exported, x, tmp_path)
    largest = np.abs(ours - theirs).max()
    print(f"{name}: largest difference of the probabilities {largest:.3g}")
    assert theirs.shape == (10000, 10)
    assert largest <= 1e-5
    assert np.array_equal(ours.argmax(axis=1), theirs.argmax(axis=1))


@pytest.mark.parametrize("name", [*SHIPPED, *TRAINED])
def test_export_then_import_is_the_same_network(name, trained, mnist, tmp_path):
    exported, back, again = tmp_path / "m.onnx", tmp_path / "back.model", tmp_path / "again.model"
    run("export", "--model", trained[name], "--onnx", exported)
    run("import", "--onnx", exported, "--out", back)
    if name in SHIPPED:  # version 1 files: the same network, saved again as version 2
        digitnet.load(trained[name]).save(again)
        assert back.read_bytes() == again.read_bytes()
    else:
        assert back.read_bytes() == trained[name].read_bytes()


def test_python_saves_onnx_and_loads_it_back(trained, mnist, tmp_path):
    model = digitnet.load(trained["cnn"])
    model.save(tmp_path / "cnn.onnx")
    onnx.checker.check_model(onnx.load(tmp_path / "cnn.onnx"), full_check=True)
    back = digitnet.load(tmp_path / "cnn.onnx")
    images = mnist["test_images"][:500]
    assert np.array_equal(back.predict_proba(images), model.predict_proba(images))


torch = pytest.importorskip("torch")


def train_torch(net, mnist, image_shape, epochs=1):
    torch.manual_seed(1)
    torch.set_num_threads(2)
    x = torch.from_numpy(mnist["train_images"][:20000].astype(np.float32) / 255)
    x = x.reshape(-1, *image_shape)
    y = torch.from_numpy(mnist["train_labels"][:20000])
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-3)
    net.train()
    for _ in range(epochs):
        for i in range(0, len(x), 100):
            optimiser.zero_grad()
            out = net(x[i:i + 100])
            loss = torch.nn.functional.nll_loss(torch.log_softmax(out, 1), y[i:i + 100])
            loss.backward()
            optimiser.step()
    net.eval()
    return net


def torch_models():
    nn = torch.nn
    torch.manual_seed(1)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
    # Relu after MaxPool in the second block, as PyTorch's MNIST example writes it.
    cnn = nn.Sequential(
        nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 64), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(64, 10), nn.LogSoftmax(dim=1))
    return {"mlp": (mlp, (784,)), "cnn": (cnn, (1, 28, 28))}


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_pytorch_model_imported_reads_as_pytorch_does(name, mnist, inputs, tmp_path):
    net, shape = torch_models()[name]
    train_torch(net, mnist, shape)
    exported, imported = tmp_path / f"{name}.onnx", tmp_path / f"{name}.model"
    torch.onnx.export(net, torch.zeros(1, *shape), str(exported), opset_version=13,
                      input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
    out = run("import", "--onnx", exported, "--out", imported)
    assert "Wrote" in out.stdout
    with torch.no_grad():
        theirs = net(torch.from_numpy(inputs).reshape(-1, *shape)).numpy()
    model = digitnet.load(imported)
    ours = model.predict(mnist["test_images"])
    accuracy = (ours == mnist["test_labels"]).mean()
    print(f"{name}: digitnet reads the import at {accuracy:.2%}; "
          f"{(ours != theirs.argmax(1)).sum()} readings differ from PyTorch's")
    assert accuracy > 0.8  # a trained network, not a degenerate one
    assert np.array_equal(ours, theirs.argmax(axis=1))
    # digitnet.load reads the .onnx file as it is, by the same rules.
    assert np.array_equal(digitnet.load(exported).predict(mnist["test_images"]), ours)
    if name == "cnn":  # LogSoftmax read as softmax: the probabilities are its exp
        assert np.abs(model.predict_proba(mnist["test_images"]) - np.exp(theirs)).max() <= 1e-5


def test_import_refuses_an_operator_naming_the_node(tmp_path):
    nn = torch.nn
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.LeakyReLU(), nn.Flatten(),
                        nn.Linear(4 * 26 * 26, 10)).eval()
    exported = tmp_path / "leaky.onnx"
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), str(exported), opset_version=13)
    out = run("import", "--onnx", exported, "--out", tmp_path / "leaky.model", check=False)
    assert out.returncode == 1
    assert "node 1" in out.stderr and "(op LeakyRelu)" in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "leaky.model").exists()


def test_import_refuses_a_strided_convolution(tmp_path):
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, stride=2), torch.nn.Flatten(),
                              torch.nn.Linear(4 * 13 * 13, 10)).eval()
    exported = tmp_path / "strided.onnx"
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), str(exported), opset_version=13)
    out = run("import", "--onnx", exported, "--out", tmp_path / "s.model", check=False)
    assert out.returncode == 1
    assert "(op Conv)" in out.stderr and "stride 1" in out.stderr, out.stderr
