"""Ready ``scoring=`` dict for class-imbalanced problems."""

import numpy as np
from imblearn.metrics import geometric_mean_score
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    matthews_corrcoef,
)
from sklearn.metrics._scorer import _BaseScorer

from ._roc_auc import macro_average_precision_score, multiclass_roc_auc_score


class _ClassesScorer(_BaseScorer):
    """A scorer on ``predict_proba`` whose metric also knows the ``classes_``.

    sklearn's ``make_scorer(..., response_method="predict_proba")`` hands the
    metric the probabilities without the estimator's ``classes_`` (and for a
    binary problem only the positive column), so the metric must guess the
    columns from ``y_true``; that fails on a cross-validation fold that lacks
    a class the estimator knows. This scorer gives the metric either the
    probabilities with ``labels=classes_`` (``on="proba"``) or the labels of
    their arg max (``on="labels"``). It is one of scikit-learn's scorers, so
    in a ``scoring=`` dict all of them share one cached ``predict_proba``
    call per fold.
    """

    def __init__(self, metric, on, **kwargs):
        super().__init__(metric, 1, kwargs, response_method="predict_proba")
        self._on = on

    def _score(self, method_caller, estimator, X, y_true, **kwargs):
        if not hasattr(estimator, "predict_proba"):
            raise AttributeError(
                f"The {self._score_func.__name__} scorer needs predict_proba, which "
                f"{type(estimator).__name__} does not have."
            )
        proba = np.asarray(method_caller(estimator, "predict_proba", X))
        classes = np.asarray(estimator.classes_)
        if proba.ndim == 1:  # sklearn keeps the positive column of binary problems
            proba = np.column_stack([1 - proba, proba])
        kwargs = {**self._kwargs, **kwargs}
        if self._on == "proba":
            return self._score_func(
                y_true, proba, labels=classes, require_proba=True, **kwargs
            )
        return self._score_func(y_true, classes[proba.argmax(axis=1)], **kwargs)

    def __repr__(self):
        return f"ClassesScorer({self._score_func.__name__}, on={self._on!r})"


def _geometric_mean_over_true_classes(y_true, y_pred, sample_weight=None):
    """Geometric mean of the recalls of the classes present in ``y_true``.

    ``imblearn.metrics.geometric_mean_score`` also includes classes that occur
    only in ``y_pred``, whose recall is undefined and set to 0, so one stray
    prediction of a class missing from a test fold makes the score 0. Like
    ``balanced_accuracy_score``, this counts only the classes of ``y_true``.
    """
    return float(
        geometric_mean_score(
            y_true, y_pred, labels=np.unique(y_true), sample_weight=sample_weight
        )
    )


def imbalance_scorers():
    """Scorers for class-imbalanced problems, as a ``scoring=`` dict.

    For ``GridSearchCV``, ``cross_validate`` and friends; works for binary and
    multiclass problems, numeric or string labels. A new dict is returned on
    each call.

    Returns
    -------
    scorers : dict of str to callable
        Each a scorer ``scorer(estimator, X, y_true)``, greater is better:

        - ``"roc_auc"``: :func:`multiclass_roc_auc_score` of ``predict_proba``
          (the paper's metric; one-vs-rest macro ROC AUC, positive-class ROC
          AUC for binary problems).
        - ``"mcc"``: Matthews correlation coefficient of ``predict``.
        - ``"pr_auc"``: :func:`macro_average_precision_score` of
          ``predict_proba``.
        - ``"balanced_accuracy"``: mean recall over the classes of ``y_true``.
        - ``"gmean"``: geometric mean of the recalls of the classes of
          ``y_true`` (``imblearn.metrics.geometric_mean_score``).
        - ``"f1_macro"``: unweighted mean of the per-class F1 scores.
        - ``"accuracy"``: fraction of correct predictions.

    See Also
    --------
    multiclass_roc_auc_score : The paper's metric.
    macro_average_precision_score : Macro PR AUC.

    Notes
    -----
    Every scorer reads ``predict_proba``: in a ``scoring=`` dict scikit-learn
    calls it once per fold for all of them (with a CNN, one inference, not
    seven). The label metrics score the class of largest probability, which
    is what ``predict`` returns for every classifier of this package (for a
    classifier whose ``predict`` differs, use scikit-learn's scorers made with
    ``response_method="predict"``). All take ``sample_weight``.

    The ``"roc_auc"`` and ``"pr_auc"`` scorers read the columns of
    ``predict_proba`` in the order of the estimator's ``classes_``,
    so a test fold that lacks a class is scored over the classes it has,
    where sklearn's ``"roc_auc_ovr"`` scorer raises an error. They check that
    ``predict_proba`` returns probabilities (values in [0, 1], rows summing
    to 1) and raise a ``ValueError`` otherwise, although both metrics are
    rank-based and would accept any scores.

    ``"gmean"`` counts only the classes present in ``y_true``: imblearn's
    default also counts a class that is only predicted, with recall 0, which
    would make the score 0.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_validate
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skimbalance.metrics import imbalance_scorers
    >>> X, y = load_iris(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), LogisticRegression())
    >>> scores = cross_validate(model, X, y, cv=3, scoring=imbalance_scorers())
    >>> print(*sorted(imbalance_scorers()))
    accuracy balanced_accuracy f1_macro gmean mcc pr_auc roc_auc
    >>> bool(scores["test_roc_auc"].mean() > 0.9)
    True
    """
    return {
        "roc_auc": _ClassesScorer(multiclass_roc_auc_score, "proba"),
        "mcc": _ClassesScorer(matthews_corrcoef, "labels"),
        "pr_auc": _ClassesScorer(macro_average_precision_score, "proba"),
        "balanced_accuracy": _ClassesScorer(balanced_accuracy_score, "labels"),
        "gmean": _ClassesScorer(_geometric_mean_over_true_classes, "labels"),
        "f1_macro": _ClassesScorer(f1_score, "labels", average="macro"),
        "accuracy": _ClassesScorer(accuracy_score, "labels"),
    }
