"""The modern API: models read numpy arrays of digits, pickle, MNIST as arrays, pictures."""
import os
import pickle
import subprocess

import numpy as np
import pytest

import digitnet
from digitnet import datasets, mnist_loader, network


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A small model trained by the CLI, as users make them."""
    path = tmp_path_factory.mktemp("models") / "m.model"
    subprocess.run([os.environ["DIGITNET_EXE"], "train", "--layers",
                    "conv:4x5:relu,pool:2,dense:10:softmax", "--cost", "log-likelihood",
                    "--init", "he", "--eta", "0.05", "--train-size", "3000", "--epochs", "1",
                    "--no-test", "--save", str(path), "--data",
                    digitnet._digitnet.source_data_dir], check=True, capture_output=True)
    return path


def test_mnist_as_arrays():
    d = datasets.mnist()
    assert d["train_images"].shape == (50000, 28, 28) and d["train_images"].dtype == np.uint8
    assert d["validation_images"].shape == (10000, 28, 28)
    assert d["test_labels"][:3].tolist() == [7, 2, 1]


def test_a_loaded_model_predicts_uint8_and_float_images_alike(trained):
    model = digitnet.load(trained)
    d = datasets.mnist()
    images, labels = d["test_images"][:500], d["test_labels"][:500]
    p = model.predict_proba(images)
    assert p.shape == (500, 10) and np.allclose(p.sum(axis=1), 1.0)
    assert np.array_equal(model.predict(images), np.argmax(p, axis=1))
    assert np.array_equal(model.predict(images.reshape(500, 784) / 255.0), model.predict(images))
    assert model.score(images, labels) > 0.8
    # `digitnet eval` on the same model and the whole test set agrees with score.
    out = subprocess.run([os.environ["DIGITNET_EXE"], "eval", "--model", str(trained), "--data",
                          digitnet._digitnet.source_data_dir], capture_output=True, text=True,
                         check=True).stdout
    correct = int(out.split()[1])
    assert correct == int(round(model.score(d["test_images"], d["test_labels"]) * 10000))


def test_models_pickle_and_save(trained, tmp_path):
    model = digitnet.load(trained)
    copy = pickle.loads(pickle.dumps(model))
    images = datasets.mnist()["test_images"][:50]
    assert np.array_equal(copy.predict_proba(images), model.predict_proba(images))
    copy.save(tmp_path / "again.model")
    assert (tmp_path / "again.model").read_bytes() == trained.read_bytes()


def test_a_book_network_saved_loads_as_a_model(tmp_path):
    net = network.Network([784, 20, 10], seed=4)
    net.save(tmp_path / "book.model")
    model = digitnet.load(tmp_path / "book.model")
    x = np.full((1, 784), 128, dtype=np.uint8)
    assert int(model.predict(x)[0]) == int(np.argmax(net.feedforward(x.reshape(784, 1) / 255.0)))


def test_read_picture_is_what_predict_sees(tmp_path):
    # A 7 from the test set, drawn 3x larger, dark on white, as a PGM file.
    seven = datasets.mnist()["test_images"][0]
    big = 255 - np.kron(seven, np.ones((3, 3), dtype=np.uint8))
    path = tmp_path / "seven.pgm"
    path.write_bytes(b"P5 84 84 255\n" + big.tobytes())
    seen = digitnet.read_picture(path)
    assert seen.shape == (28, 28) and seen.dtype == np.uint8
    assert seen.max() > 200 and seen[0].max() == 0  # ink bright, centred with a margin


def test_bad_arrays_and_files_raise(trained, tmp_path):
    model = digitnet.load(trained)
    with pytest.raises(ValueError, match="N x 784"):
        model.predict(np.zeros((5, 783), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        model.predict(np.full((2, 784), 3.0))
    with pytest.raises(TypeError, match="numbers"):
        model.predict(np.array([["x"] * 784]))
    with pytest.raises((OSError, ValueError), match="missing.model"):
        digitnet.load(tmp_path / "missing.model")
    (tmp_path / "junk.model").write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match="junk.model"):
        digitnet.load(tmp_path / "junk.model")


def test_train_takes_the_clis_flags_and_prints_its_lines(capsys):
    model, history = digitnet.train(sizes=[784, 30, 10], epochs=2, train_size=1000,
                                    test_size=1000)
    lines = capsys.readouterr().out.splitlines()
    cli = subprocess.run([os.environ["DIGITNET_EXE"], "train", "--train-size", "1000",
                          "--test-size", "1000", "--epochs", "2", "--data",
                          digitnet._digitnet.source_data_dir], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert lines == cli[:2]
    assert [h["epoch"] for h in history] == [0, 1] and history[1]["test_total"] == 1000
    assert history[1]["test_correct"] == int(lines[1].split()[2])
    assert isinstance(model, digitnet.Model)


def test_train_reads_a_recipe_and_keywords_override_it(tmp_path):
    recipe = tmp_path / "r.toml"
    recipe.write_text('[train]\nlayers = "conv:4x5:relu,pool:2,dense:10:softmax"\n'
                      'cost = "log-likelihood"\ninit = "he"\neta = 0.05\nbatch = 20\n'
                      'epochs = 5\n')
    model, history = digitnet.train(recipe=recipe, epochs=1, train_size=2000, test_size=500,
                                    verbose=False)
    assert len(history) == 1 and history[0]["test_correct"] > 300
    assert model.predict_proba(datasets.mnist()["test_images"][:3]).shape == (3, 10)


def test_train_refuses_bad_values_naming_the_keyword():
    with pytest.raises(ValueError, match=r"^batch 0: "):
        digitnet.train(batch=0, train_size=10)
    with pytest.raises(ValueError, match=r"^lmbda -1: "):
        digitnet.train(lmbda=-1, train_size=10)
    with pytest.raises(ValueError, match=r"unknown option"):
        digitnet.train(epoch=3, train_size=10)
    with pytest.raises(ValueError, match=r"layer 2 \(pond:2"):
        digitnet.train(layers="dense:30,pond:2,dense:10", train_size=10)
    with pytest.raises(ValueError, match=r"^optimizer adamw: unknown"):
        digitnet.train(optimizer="adamw", train_size=10)


def test_train_takes_the_data_keywords_as_the_cli_does(capsys):
    """digits, validation_size, augment and monitor: the CLI's lines for the same flags."""
    flags = ["--digits", "0,1", "--train-size", "500", "--test-size", "300", "--epochs", "2",
             "--validation-size", "2000", "--augment", "shift", "--monitor", "gradients"]
    _, history = digitnet.train(digits=[0, 1], train_size=500, test_size=300, epochs=2,
                                validation_size=2000, augment="shift", monitor=["gradients"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Epoch")]
    cli = subprocess.run([os.environ["DIGITNET_EXE"], "train", *flags, "--data",
                          digitnet._digitnet.source_data_dir], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert lines == [line for line in cli if line.startswith("Epoch")]
    norms = [line for line in cli if "gradient norms" in line]
    assert len(norms) == 2 and len(history[0]["gradient_norms"]) == 2
    assert float(norms[0].split()[-1]) == pytest.approx(history[0]["gradient_norms"][-1], rel=1e-2)
    assert history[0]["test_total"] == 300


def test_train_refuses_bad_data_keywords():
    with pytest.raises(ValueError, match=r"^digits 12: "):
        digitnet.train(digits=[1, 12], train_size=10)
    with pytest.raises(ValueError, match=r"^augment rotate: unknown; choose none or shift"):
        digitnet.train(augment="rotate", train_size=10)
    with pytest.raises(ValueError, match=r"^monitor gradient: unknown"):
        digitnet.train(monitor=["gradient"], train_size=10)
    with pytest.raises(ValueError, match=r"^save: only `digitnet train`"):
        digitnet.train(save="m.model", train_size=10)
