"""Datasets: MNIST, CIFAR-10, folders of images, imbalance generators.

MNIST and digits loaders return ``(n, n_features)`` float32 in [0, 1] and the
image shape, so the data goes through imbalanced-learn samplers and
scikit-learn pipelines as 2-D arrays. Image folders and CIFAR-10 come as an
:class:`ImageArray`: a lazy ``(n, C, H, W)`` uint8 array that reads images
only when rows are used, and that splitters, samplers and the CNN estimators
keep lazy.
"""

from ._cifar10 import load_cifar10
from ._digits import load_digit_images
from ._image_array import ImageArray
from ._image_folder import load_image_folder
from ._imbalance import make_linear_imbalance, make_step_imbalance
from ._mnist import load_mnist

__all__ = [
    "ImageArray",
    "load_cifar10",
    "load_digit_images",
    "load_image_folder",
    "load_mnist",
    "make_linear_imbalance",
    "make_step_imbalance",
]
