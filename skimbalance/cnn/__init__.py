"""CNN classifiers as scikit-learn estimators (skorch inside).

:class:`CNNClassifier` takes any architecture; :class:`LeNet5Classifier`,
:class:`AllCNNClassifier` and :class:`ResNet10Classifier` are the networks of
Buda et al. (2018) with the paper's optimisation as their defaults.
"""

from ._classifier import CNNClassifier
from ._paper import AllCNNClassifier, LeNet5Classifier, ResNet10Classifier

__all__ = [
    "AllCNNClassifier",
    "CNNClassifier",
    "LeNet5Classifier",
    "ResNet10Classifier",
]
