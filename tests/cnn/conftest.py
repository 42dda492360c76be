"""Shared data and parameters of the CNN estimator tests.

Everything is tiny on purpose: 300 of scikit-learn's 8x8 digits, a one-layer
MLP (``module="mlp"``) wherever the architecture does not matter, and a few
dozen weight updates. Fitted estimators are module-scoped fixtures.
"""

import numpy as np
import pytest

from skimbalance.cnn import CNNClassifier
from skimbalance.datasets import load_digit_images

#: 300 examples and batches of 32: 10 batches per epoch (the last of 12).
N_SAMPLES = 300
BATCH_SIZE = 32

#: Parameters of a fast MLP fit that still learns something in 20 updates.
FAST = {
    "module": "mlp",
    "module_params": {"hidden_layer_sizes": (32,)},
    "max_iter": 20,
    "batch_size": BATCH_SIZE,
    "lr": 0.1,
    "device": "cpu",
}


@pytest.fixture(scope="session")
def seed():
    """The one seed of the suite."""
    return 0


@pytest.fixture(scope="session")
def digits():
    """``(X, y)``: 300 digits, float32 ``(300, 64)`` in [0, 1], labels 0-9."""
    X, y = load_digit_images(return_X_y=True)
    return X[:N_SAMPLES], y[:N_SAMPLES]


@pytest.fixture(scope="session")
def fast_params():
    """A copy of :data:`FAST` (so a test may change it)."""
    return {**FAST, "module_params": dict(FAST["module_params"])}


@pytest.fixture(scope="module")
def fitted_mlp(digits):
    """A fast MLP fitted on :func:`digits` with random_state=0 (do not modify)."""
    X, y = digits
    return CNNClassifier(**FAST, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def imbalanced_digits(digits):
    """Digits 0, 1, 2 at 30:20:4 examples, for the imbalance-aware options."""
    X, y = digits
    keep = np.concatenate(
        [np.flatnonzero(y == c)[:n] for c, n in ((0, 30), (1, 20), (2, 4))]
    )
    return X[keep], y[keep]
