"""The handwritten digits bundled with ndgrad (the same 1,797 8x8 images scikit-learn ships), so the
default ``ndgrad finetune`` run works offline without extra packages."""
import gzip
import os

import numpy as np

_PATH = os.path.join(os.path.dirname(__file__), "data", "digits.csv.gz")


def load_digits():
    """Return ``(images, labels)``: float32 images of shape (1797, 8, 8) scaled to [0, 1], int64 labels."""
    with gzip.open(_PATH, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float64)
    images = (table[:, :-1] / 16.0).astype(np.float32).reshape(-1, 8, 8)
    labels = table[:, -1].astype(np.int64)
    return images, labels
