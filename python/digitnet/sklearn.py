"""A scikit-learn estimator over digitnet: MLPClassifier(...).fit(X, y) for digit images.

Works in Pipeline, GridSearchCV and cross_val_score (get_params/set_params, clone). X: N x 784
or N x 28 x 28 images, uint8 (0-255) or float ([0, 1]); y: digits 0-9. Needs scikit-learn
(Debian's python3-sklearn).
"""
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from .training import train


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """digitnet's network as an estimator. Parameters are digitnet train's flags; layers may hold
    convolutions (the input is 1 x 28 x 28)."""

    def __init__(self, layers="dense:100:relu,dense:10:softmax", cost="log-likelihood",
                 init="he", epochs=10, batch=32, eta=0.1, optimizer="sgd", momentum=0.9,
                 lmbda=0.0, dropout=0.0, seed=1, threads=0):
        self.layers = layers
        self.cost = cost
        self.init = init
        self.epochs = epochs
        self.batch = batch
        self.eta = eta
        self.optimizer = optimizer
        self.momentum = momentum
        self.lmbda = lmbda
        self.dropout = dropout
        self.seed = seed
        self.threads = threads

    def fit(self, X, y):
        y = np.asarray(y)
        self.model_, self.history_ = train(images=X, labels=y, verbose=False, **self.get_params())
        self.classes_ = np.arange(10)
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
