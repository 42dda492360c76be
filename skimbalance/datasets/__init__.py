"""Datasets: MNIST and scikit-learn's digits as image arrays, imbalance generators.

Loaders return ``(n, n_features)`` float32 in [0, 1] and the image shape, so
the data goes through imbalanced-learn samplers and scikit-learn pipelines as
2-D arrays and is reshaped only inside the CNN estimators.
"""

from ._digits import load_digit_images
from ._imbalance import make_linear_imbalance, make_step_imbalance
from ._mnist import load_mnist

__all__ = [
    "load_digit_images",
    "load_mnist",
    "make_linear_imbalance",
    "make_step_imbalance",
]
