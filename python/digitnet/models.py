"""The modern API's model: a trained network that reads numpy arrays of digits."""
import numpy as np

from . import _digitnet


def _as_images(images, pixels):
    """N x pixels bytes from N x 28 x 28 or N x 784 arrays, uint8 (0-255) or float ([0, 1])."""
    a = np.asarray(images)
    if a.ndim == 2 and a.shape[1] == pixels:
        flat = a
    elif a.ndim == 3 and a.shape[1] * a.shape[2] == pixels:
        flat = a.reshape(a.shape[0], pixels)
    elif a.ndim == 1 and a.size == pixels:
        flat = a.reshape(1, pixels)
    else:
        raise ValueError("images of shape %s: give N x %d (or N x 28 x 28) pixels" % (a.shape, pixels))
    if flat.dtype == np.uint8:
        return np.ascontiguousarray(flat)
    if not np.issubdtype(flat.dtype, np.number):
        raise TypeError("images: give numbers (uint8 0-255 or floats in [0, 1]), not %s" % flat.dtype)
    if flat.size and (flat.min() < 0 or flat.max() > 1):
        raise ValueError("float images must be in [0, 1] (uint8 images in 0-255)")
    return np.rint(flat * 255.0).astype(np.uint8)


class Model(object):
    """A trained digitnet network: predict, predict_proba, score; pickles as its model file."""

    def __init__(self, native):
        self._net = native

    @property
    def sizes(self):
        return list(self._net.sizes)

    def predict_proba(self, images):
        """Each image's ten probabilities, an N x 10 float64 array."""
        return self._net.probabilities(_as_images(images, self._net.sizes[0]))

    def predict(self, images):
        """Each image's digit (the largest probability; the first on a tie), N ints."""
        return np.argmax(self.predict_proba(images), axis=1)

    def score(self, images, labels):
        """The share of images read right."""
        return float(np.mean(self.predict(images) == np.asarray(labels)))

    def save(self, path):
        """Writes the model: digitnet's format, network2.py's JSON (.json), or ONNX (.onnx, as
        digitnet export writes it)."""
        self._net.save(str(path))

    def __getstate__(self):
        return {"model": self._net.to_bytes()}

    def __setstate__(self, state):
        self._net = _digitnet.Network.from_bytes(state["model"])
