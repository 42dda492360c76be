"""Criteria for training neural networks on class-imbalanced labels.

Every loss is a :class:`torch.nn.Module` called on raw logits of shape
``(n, n_classes)`` and integer class positions of shape ``(n,)``, built from
the per-class counts of the training data (``class_counts=`` or
:meth:`~ImbalanceLoss.set_class_counts`). ``reduction="mean"`` is the plain
mean of the per-sample losses over the batch, not divided by the sum of the
class weights as :class:`torch.nn.CrossEntropyLoss` with ``weight=`` does.
:data:`LOSSES` and :func:`build_loss` name them for the CNN estimators'
``criterion=`` parameter.
"""

from ._base import ImbalanceLoss
from ._class_balanced import ClassBalancedLoss
from ._focal import FocalLoss
from ._ldam import LDAMLoss
from ._logit_adjusted import LogitAdjustedLoss
from ._registry import LOSSES, build_loss

__all__ = [
    "LOSSES",
    "ClassBalancedLoss",
    "FocalLoss",
    "ImbalanceLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "build_loss",
]
