"""The book's chapter 3 API: network2 with its costs, initialisers, L2, monitors and JSON."""
import json

import numpy as np
import pytest

from digitnet import mnist_loader, network2


@pytest.fixture(scope="module")
def data():
    training, validation, test = mnist_loader.load_data_wrapper()
    return training[:1000], validation[:300], test


def test_the_books_chapter_3_example_monitors_and_returns_four_lists(data, capsys):
    training_data, validation_data, _ = data
    net = network2.Network([784, 30, 10], cost=network2.CrossEntropyCost)
    result = net.SGD(training_data, 3, 10, 0.5, lmbda=5.0, evaluation_data=validation_data,
                     monitor_evaluation_accuracy=True, monitor_evaluation_cost=True,
                     monitor_training_accuracy=True, monitor_training_cost=True)
    evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = result
    assert [len(x) for x in result] == [3, 3, 3, 3]
    out = capsys.readouterr().out.splitlines()
    assert out[:6] == ["Epoch 0 training complete",
                       "Cost on training data: {}".format(training_cost[0]),
                       "Accuracy on training data: {} / 1000".format(training_accuracy[0]),
                       "Cost on evaluation data: {}".format(evaluation_cost[0]),
                       "Accuracy on evaluation data: {} / 300".format(evaluation_accuracy[0]),
                       ""]
    assert evaluation_accuracy[-1] > 200 and training_accuracy[-1] > 800  # it learns
    # total_cost and accuracy are what the monitors printed.
    assert net.accuracy(validation_data) == evaluation_accuracy[-1]
    assert net.accuracy(training_data, convert=True) == training_accuracy[-1]
    assert net.total_cost(training_data, 5.0) == pytest.approx(training_cost[-1], rel=1e-12)


def test_total_cost_is_the_books_formula(data):
    training_data, _, _ = data
    net = network2.Network([784, 10, 10], cost=network2.CrossEntropyCost, seed=2)
    part = training_data[:50]
    lmbda = 3.0
    expected = sum(network2.CrossEntropyCost.fn(net.feedforward(x), y) for x, y in part) / 50
    expected += 0.5 * (lmbda / 50) * sum(np.linalg.norm(w.astype(np.float64)) ** 2
                                         for w in net.weights)
    assert net.total_cost(part, lmbda) == pytest.approx(expected, rel=1e-4)


def test_initialisers_draw_the_two_scales():
    net = network2.Network([784, 100, 10], seed=3)
    assert 0.02 < float(np.std(net.weights[0])) < 0.05          # N(0, 1/784): 0.036
    net.large_weight_initializer()
    assert 0.9 < float(np.std(net.weights[0])) < 1.1            # N(0, 1)
    net.default_weight_initializer()
    assert 0.02 < float(np.std(net.weights[0])) < 0.05


def test_save_writes_the_books_json_and_load_reads_it(tmp_path):
    net = network2.Network([784, 20, 10], cost=network2.QuadraticCost, seed=4)
    path = tmp_path / "net.json"
    net.save(path)
    saved = json.loads(path.read_text())
    assert saved["sizes"] == [784, 20, 10] and saved["cost"] == "QuadraticCost"
    assert np.allclose(np.array(saved["weights"][0]), net.weights[0])
    loaded = network2.load(path)
    assert loaded.cost is network2.QuadraticCost
    x = np.full((784, 1), 0.25)
    assert np.array_equal(loaded.feedforward(x), net.feedforward(x))


def test_bad_arguments_raise():
    with pytest.raises(TypeError, match="cost"):
        network2.Network([784, 10, 10], cost=object)
    with pytest.raises(ValueError, match="evaluation_data"):
        network2.Network([784, 10, 10]).SGD(
            mnist_loader.load_data_wrapper()[0][:10], 1, 10, 0.5, monitor_evaluation_accuracy=True)


def test_files_move_between_digitnet_and_the_books_network2(data, tmp_path):
    """network2.save's file read the book's way (bench/reference/network2_json.py: json.load and
    numpy, as network2.load), and the book's re-save read back by digitnet: the same answers."""
    import os
    import subprocess
    import sys
    training_data, _, test_data = data
    net = network2.Network([784, 30, 10], cost=network2.CrossEntropyCost, seed=6)
    net.SGD(training_data, 2, 10, 0.5)
    ours = tmp_path / "ours.json"
    net.save(ours)
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    theirs = tmp_path / "theirs.json"
    out = subprocess.run([sys.executable, os.path.join(root, "bench", "reference", "network2_json.py"),
                          str(ours), "--data", os.path.join(root, "data", "mnist"),
                          "--resave", str(theirs)], capture_output=True, text=True, check=True).stdout
    assert out.startswith("test: {} / 10000".format(net.accuracy(test_data)))
    back = network2.load(theirs)
    assert back.accuracy(test_data) == net.accuracy(test_data)
