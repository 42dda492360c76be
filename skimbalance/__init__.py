"""skimbalance: deep learning on class-imbalanced data, the scikit-learn way.

Subpackages
-----------
datasets
    MNIST and digits loaders, step and linear imbalance generators.
sampling
    imbalanced-learn samplers (step / linear imbalance, ratio over- and
    under-sampling) and a class-aware batch sampler for PyTorch.
cnn
    CNN classifiers that are skorch nets and scikit-learn estimators.
losses
    Focal, class-balanced, logit-adjusted and LDAM losses for PyTorch.
nets
    LeNet-5, All-CNN, ResNet-10 and an MLP with a named head.
metrics
    The paper's multi-class ROC AUC and a ready ``scoring=`` dict.

The top level holds the meta-estimators, e.g. :class:`PriorThresholdClassifier`.
"""

from ._downsample_upweight import DownsampleUpweightClassifier
from ._prior_threshold import PriorThresholdClassifier
from ._two_phase import TwoPhaseClassifier

__version__ = "0.1.0.dev0"

__all__ = [
    "DownsampleUpweightClassifier",
    "PriorThresholdClassifier",
    "TwoPhaseClassifier",
    "__version__",
]
