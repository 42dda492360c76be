"""The paper's CIFAR-10 preprocessing as scikit-learn transformers.

Buda et al. (2018, §3.3.2) train All-CNN on CIFAR-10 after global contrast
normalisation and ZCA whitening, as Springenberg et al. (2015) and Goodfellow
et al. (2013) did. Both keep the shape of their input (2-D rows or images
``(n, C, H, W)``, an :class:`~skimbalance.datasets.ImageArray` included) and
return float32, so they sit in an imbalanced-learn pipeline before a sampler and
a CNN estimator.
"""

from ._contrast import GlobalContrastNormalizer
from ._zca import ZCAWhitener

__all__ = ["GlobalContrastNormalizer", "ZCAWhitener"]
