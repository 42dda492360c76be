"""CNN classifiers that are skorch nets and scikit-learn estimators.

:class:`CNNClassifier` takes any architecture (this package's networks,
torchvision and timm classifiers, any module); :class:`LeNet5Classifier`,
:class:`AllCNNClassifier` and :class:`ResNet10Classifier` are the networks of
Buda et al. (2018) with the paper's optimisation as their defaults. Each is a
:class:`skorch.NeuralNetClassifier` (callbacks, history, ``train_split``,
nested parameters, checkpoints, ``AccelerateMixin``) trained for a fixed
number of weight updates. :class:`UpdateSchedule` is the callback that sets
the paper's learning rates; :class:`PadCropFlip` is the standard CIFAR
augmentation for ``augment=``.
"""

from ._augment import PadCropFlip
from ._classifier import CNNClassifier
from ._paper import AllCNNClassifier, LeNet5Classifier, ResNet10Classifier
from ._schedule import UpdateSchedule

__all__ = [
    "AllCNNClassifier",
    "CNNClassifier",
    "LeNet5Classifier",
    "PadCropFlip",
    "ResNet10Classifier",
    "UpdateSchedule",
]
