"""The book's chapter 1 API on digitnet: its example as written, its data shapes, its lines
(the same as digitnet train's), the methods the book's code calls, and the errors."""
import os
import re
import subprocess

import numpy as np
import pytest

import digitnet
from digitnet import mnist_loader, network


@pytest.fixture(scope="module")
def data():
    return mnist_loader.load_data_wrapper()


def test_load_data_wrapper_has_the_books_shapes(data):
    training_data, validation_data, test_data = data
    assert (len(training_data), len(validation_data), len(test_data)) == (50000, 10000, 10000)
    x, y = training_data[0]
    assert x.shape == (784, 1) and x.dtype == np.float64
    assert y.shape == (10, 1) and y.sum() == 1.0 and int(np.argmax(y)) == 5  # MNIST's first: 5
    assert 0.0 <= x.min() and x.max() <= 1.0
    vx, vy = validation_data[0]
    assert vx.shape == (784, 1) and isinstance(vy, int)
    assert isinstance(test_data[0][1], int) and test_data[0][1] == 7  # t10k's first: 7


def test_the_books_example_prints_digitnet_trains_lines(data, capsys):
    """net.SGD(training_data, epochs, 10, 3.0, test_data=test_data) as the book writes it, on
    the first 1,000 images: the same lines as `digitnet train` with the same seed and sizes."""
    training_data, _, test_data = data
    net = network.Network([784, 30, 10])
    net.SGD(training_data[:1000], 3, 10, 3.0, test_data=test_data[:1000])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(re.fullmatch(r"Epoch \d: \d+ / 1000", l) for l in lines)
    cli = subprocess.run(
        [os.environ["DIGITNET_EXE"], "train", "--train-size", "1000", "--test-size", "1000",
         "--epochs", "3", "--data", digitnet._digitnet.source_data_dir],
        capture_output=True, text=True, check=True).stdout.splitlines()
    assert lines == cli[:3]
    assert int(lines[-1].split()[2]) > 250  # it learned (chance: about 100)


def test_without_test_data_each_epoch_is_complete(data, capsys):
    network.Network([784, 10, 10], seed=3).SGD(data[0][:200], 2, 10, 3.0)
    assert capsys.readouterr().out.splitlines() == ["Epoch 0 complete", "Epoch 1 complete"]


def test_weights_and_biases_are_the_networks_own_arrays():
    net = network.Network([784, 30, 10], seed=1)
    assert net.num_layers == 3 and net.sizes == [784, 30, 10]
    assert [w.shape for w in net.weights] == [(30, 784), (10, 30)]
    assert [b.shape for b in net.biases] == [(30, 1), (10, 1)]
    x = np.linspace(0, 1, 784).reshape(784, 1)
    before = net.feedforward(x)
    net.weights[1][:] = 0
    net.biases[1][:] = 0
    assert np.allclose(net.feedforward(x), 0.5)  # σ(0) everywhere
    assert not np.allclose(before, 0.5)
    # The same seed gives the same weights; another seed others.
    assert np.array_equal(network.Network([784, 30, 10], seed=1).weights[0], net.weights[0])
    assert not np.array_equal(network.Network([784, 30, 10], seed=2).weights[0], net.weights[0])


def test_feedforward_is_the_books_formula():
    net = network.Network([5, 4, 3], seed=7)
    a = np.array([[0.1], [0.9], [0.3], [0.0], [1.0]])
    expected = a
    for w, b in zip(net.weights, net.biases):
        expected = network.sigmoid(np.dot(w.astype(np.float64), expected) + b)
    assert np.allclose(net.feedforward(a), expected, atol=1e-6)


def test_backprop_matches_finite_differences_of_the_books_cost():
    net = network.Network([4, 3, 2], seed=5)
    x = np.array([[0.2], [0.7], [0.1], [0.9]])
    y = np.array([[0.0], [1.0]])
    nabla_b, nabla_w = net.backprop(x, y)
    assert [b.shape for b in nabla_b] == [(3, 1), (2, 1)]
    assert [w.shape for w in nabla_w] == [(3, 4), (2, 3)]

    def cost():
        return 0.5 * float(np.sum((net.feedforward(x) - y) ** 2))

    h = 1e-2
    w = net.weights[0]
    keep = float(w[1, 2])
    w[1, 2] = keep + h
    up = cost()
    w[1, 2] = keep - h
    down = cost()
    w[1, 2] = keep
    assert abs((up - down) / (2 * h) - nabla_w[0][1, 2]) < 1e-3
    assert np.allclose(net.cost_derivative(net.feedforward(x), y), net.feedforward(x) - y)


def test_update_mini_batch_and_evaluate(data):
    training_data, _, test_data = data
    net = network.Network([784, 30, 10], seed=1)
    before = net.evaluate(test_data[:500])
    for k in range(0, 3000, 10):
        net.update_mini_batch(training_data[k:k + 10], 3.0)
    after = net.evaluate(test_data[:500])
    assert after > before + 150  # from chance (~50 of 500) to well over half


def test_bad_input_raises_value_error_with_one_line():
    with pytest.raises(ValueError, match="sizes: layer 1"):
        network.Network([784, 0, 10])
    net = network.Network([784, 10, 10])
    with pytest.raises(ValueError, match="784 values per example"):
        net.feedforward(np.zeros((783, 1)))
    with pytest.raises(ValueError, match="multiples of 1/255"):
        net.SGD([(np.full((784, 1), 0.3333), np.eye(10)[:, :1])], 1, 1, 3.0)
    with pytest.raises(ValueError, match="is empty"):
        net.SGD([], 1, 1, 3.0)
    with pytest.raises(ValueError, match="eta"):
        net.SGD(mnist_loader.load_data_wrapper()[0][:10], 1, 10, -1.0)
    with pytest.raises(ValueError, match="seed"):
        digitnet.seed(-1)
    # Labels are digits: a network of other outputs, or of other inputs, cannot be trained or
    # scored on them.
    some = mnist_loader.load_data_wrapper()[0][:10]
    with pytest.raises(ValueError, match="10 outputs; this network has 5"):
        network.Network([784, 30, 5]).SGD(some, 1, 10, 3.0)
    with pytest.raises(ValueError, match="takes 100 inputs, the images have 784"):
        network.Network([100, 10]).evaluate([(x, 1) for x, _ in some])


def test_ctrl_c_stops_training_promptly_with_keyboard_interrupt():
    import signal
    import sys
    import time
    program = (
        "from digitnet import mnist_loader, network\n"
        "data = mnist_loader.load_data_wrapper()[0][:5000]\n"
        "print('ready', flush=True)\n"
        "try:\n"
        "    network.Network([784, 100, 10]).SGD(data, 1000, 10, 3.0)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n")
    child = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ))
    assert child.stdout.readline().strip() == "ready"
    time.sleep(1.0)  # inside SGD, in C++
    child.send_signal(signal.SIGINT)
    start = time.perf_counter()
    out, _ = child.communicate(timeout=30)
    assert "interrupted" in out
    assert time.perf_counter() - start < 5


def test_networks_pickle():
    import pickle
    from digitnet import network2
    for net in (network.Network([784, 12, 10], seed=8),
                network2.Network([784, 12, 10], cost=network2.QuadraticCost, seed=8)):
        copy = pickle.loads(pickle.dumps(net))
        x = np.full((784, 1), 0.5)
        assert np.array_equal(copy.feedforward(x), net.feedforward(x))
        assert copy.seed == 8 and type(copy) is type(net)
    assert pickle.loads(pickle.dumps(net)).cost is network2.QuadraticCost


def _write_books_pickle(path, parts):
    """A file laid out as the book's mnist.pkl.gz: a gzipped protocol-2 pickle of three
    (float32 N x 784 images holding pixel k as k/256, int64 labels) pairs."""
    import gzip
    import pickle
    with gzip.open(path, "wb") as f:
        pickle.dump(tuple((images.astype(np.float32) / 256, labels.astype(np.int64))
                          for images, labels in parts), f, protocol=2)


def test_mnist_loader_reads_the_books_pickle(tmp_path):
    """Given the book's mnist.pkl.gz, load_data returns its arrays and load_data_wrapper the
    book's shapes; SGD trains on them as on the bytes k they hold."""
    split = digitnet._digitnet.load_mnist(digitnet._digitnet.source_data_dir)
    parts = [(split[name][0][:n], split[name][1][:n])
             for name, n in (("training", 600), ("validation", 100), ("test", 200))]
    path = tmp_path / "mnist.pkl.gz"
    _write_books_pickle(path, parts)
    tr_d, va_d, te_d = mnist_loader.load_data(path)
    assert tr_d[0].shape == (600, 784) and tr_d[0].dtype == np.float32
    assert np.array_equal(np.round(tr_d[0] * 256).astype(np.uint8), parts[0][0])
    assert te_d[1][:3].tolist() == [7, 2, 1]
    training_data, validation_data, test_data = mnist_loader.load_data_wrapper(path)
    assert (len(training_data), len(validation_data), len(test_data)) == (600, 100, 200)
    assert training_data[0][0].shape == (784, 1) and training_data[0][1].shape == (10, 1)
    assert isinstance(test_data[0][1], int)
    from_pickle = network.Network([784, 30, 10], seed=3)
    from_pickle.SGD(training_data, 1, 10, 3.0)
    from_idx = network.Network([784, 30, 10], seed=3)
    from_idx.SGD(mnist_loader.load_data_wrapper()[0][:600], 1, 10, 3.0)
    assert np.array_equal(from_pickle.weights[0], from_idx.weights[0])  # the same bytes k
    assert from_pickle.evaluate(test_data) == from_idx.evaluate(test_data)


def test_mnist_loader_refuses_a_file_that_is_not_the_books_pickle(tmp_path):
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(b"not gzip")
    with pytest.raises(ValueError, match=r"mnist.pkl.gz: not the book's mnist.pkl.gz"):
        mnist_loader.load_data(path)
