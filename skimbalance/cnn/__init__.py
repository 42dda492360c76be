"""CNN classifiers as scikit-learn estimators (skorch inside).

:class:`CNNClassifier` takes any architecture (this package's networks,
torchvision and timm classifiers, any module); :class:`LeNet5Classifier`,
:class:`AllCNNClassifier` and :class:`ResNet10Classifier` are the networks of
Buda et al. (2018) with the paper's optimisation as their defaults.
:class:`PadCropFlip` is the standard CIFAR augmentation for ``augment=``.
"""

from ._augment import PadCropFlip
from ._classifier import CNNClassifier
from ._paper import AllCNNClassifier, LeNet5Classifier, ResNet10Classifier

__all__ = [
    "AllCNNClassifier",
    "CNNClassifier",
    "LeNet5Classifier",
    "PadCropFlip",
    "ResNet10Classifier",
]
