"""Ready ``scoring=`` dict for class-imbalanced problems."""

import numpy as np
from imblearn.metrics import geometric_mean_score
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    make_scorer,
    matthews_corrcoef,
)

from ._roc_auc import macro_average_precision_score, multiclass_roc_auc_score


class _ProbaScorer:
    """Score ``predict_proba`` output with its columns labelled by ``classes_``.

    sklearn's ``make_scorer(..., response_method="predict_proba")`` hands the
    metric the probabilities without the estimator's ``classes_``, so the
    metric must guess the columns from ``y_true``; that fails on a
    cross-validation fold that lacks a class the estimator knows. This scorer
    passes ``labels=estimator.classes_`` and ``require_proba=True``.

    Parameters
    ----------
    score_func : callable
        ``score_func(y_true, y_score, *, labels, require_proba)``, greater is
        better.
    """

    def __init__(self, score_func):
        self.score_func = score_func

    def __call__(self, estimator, X, y_true):
        if not hasattr(estimator, "predict_proba"):
            raise AttributeError(
                f"The {self.score_func.__name__} scorer needs predict_proba, which "
                f"{type(estimator).__name__} does not have."
            )
        y_score = estimator.predict_proba(X)
        return self.score_func(
            y_true, y_score, labels=estimator.classes_, require_proba=True
        )

    def __repr__(self):
        return f"ProbaScorer({self.score_func.__name__}, require_proba=True)"


def _geometric_mean_over_true_classes(y_true, y_pred, sample_weight=None):
    """Geometric mean of the recalls of the classes present in ``y_true``.

    ``imblearn.metrics.geometric_mean_score`` also includes classes that occur
    only in ``y_pred``, whose recall is undefined and set to 0, so one stray
    prediction of a class missing from a test fold makes the score 0. Like
    ``balanced_accuracy_score``, this counts only the classes of ``y_true``.
    """
    return geometric_mean_score(
        y_true, y_pred, labels=np.unique(y_true), sample_weight=sample_weight
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
    The ``"roc_auc"`` and ``"pr_auc"`` scorers call ``predict_proba`` (once
    each) and read its columns in the order of the estimator's ``classes_``,
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
        "roc_auc": _ProbaScorer(multiclass_roc_auc_score),
        "mcc": make_scorer(matthews_corrcoef),
        "pr_auc": _ProbaScorer(macro_average_precision_score),
        "balanced_accuracy": make_scorer(balanced_accuracy_score),
        "gmean": make_scorer(_geometric_mean_over_true_classes),
        "f1_macro": make_scorer(f1_score, average="macro"),
        "accuracy": make_scorer(accuracy_score),
    }
