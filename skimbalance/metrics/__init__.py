"""Metrics for class-imbalanced classification.

:func:`multiclass_roc_auc_score` is the metric of Buda et al. (2018): the mean
over classes of one-vs-rest ROC AUCs. :func:`macro_average_precision_score` is
the same average for PR AUC, and :func:`imbalance_scorers` returns a ready
``scoring=`` dict for ``GridSearchCV`` and ``cross_validate``.
"""

from ._roc_auc import macro_average_precision_score, multiclass_roc_auc_score
from ._scorers import imbalance_scorers

__all__ = [
    "imbalance_scorers",
    "macro_average_precision_score",
    "multiclass_roc_auc_score",
]
