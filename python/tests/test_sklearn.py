"""The scikit-learn estimator in a Pipeline and in cross_val_score."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn", reason="Debian's python3-sklearn (scripts/setup)")
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from digitnet import datasets  # noqa: E402
import digitnet  # noqa: E402
from digitnet import MLPClassifier  # noqa: E402  (digitnet.sklearn.MLPClassifier, lazily)


@pytest.fixture(scope="module")
def digits():
    d = datasets.mnist()
    return d["train_images"][:3000], d["train_labels"][:3000], d["test_images"][:1000], d["test_labels"][:1000]


def test_fit_predict_score_in_a_pipeline(digits):
    X, y, X_test, y_test = digits
    pipeline = Pipeline([("scale", FunctionTransformer(lambda a: a.reshape(len(a), -1) / 255.0)),
                         ("net", MLPClassifier(epochs=3, eta=0.1, batch=20))])
    pipeline.fit(X, y)
    assert pipeline.score(X_test, y_test) > 0.85
    p = pipeline.predict_proba(X_test[:5])
    assert p.shape == (5, 10) and np.allclose(p.sum(axis=1), 1)
    assert list(pipeline.predict(X_test[:5])) == list(np.argmax(p, axis=1))


def test_params_round_trip_and_cross_val_score(digits):
    X, y, _, _ = digits
    net = MLPClassifier(layers="conv:4x5:relu,pool:2,dense:10:softmax", epochs=1, eta=0.05)
    assert net.get_params()["layers"].startswith("conv:4x5")
    net.set_params(epochs=2)
    assert net.epochs == 2
    scores = cross_val_score(MLPClassifier(epochs=2, batch=20), X[:1500], y[:1500], cv=3)
    assert len(scores) == 3 and scores.min() > 0.7
    # The same seed gives the same model.
    a = MLPClassifier(epochs=1, seed=5).fit(X[:500], y[:500]).predict_proba(X[:20])
    b = MLPClassifier(epochs=1, seed=5).fit(X[:500], y[:500]).predict_proba(X[:20])
    assert np.array_equal(a, b)


def test_bad_parameters_raise_value_error(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match="^batch 0"):
        MLPClassifier(batch=0).fit(X[:10], y[:10])


def test_the_estimator_is_digitnets_top_level_name():
    import digitnet.sklearn
    assert digitnet.MLPClassifier is digitnet.sklearn.MLPClassifier
    with pytest.raises(AttributeError, match="no attribute 'MLPClassifer'"):
        digitnet.MLPClassifer  # noqa: B018
