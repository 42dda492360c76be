"""One-vs-rest ranking metrics: the paper's multi-class ROC AUC and macro PR AUC.

Both metrics share one validation step, :func:`_one_vs_rest_problems`, which
checks ``y_true``, ``y_score`` and ``labels`` and returns one binary problem per
class present in ``y_true``; the metrics differ only in the binary score they
average.
"""

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.utils import check_array, column_or_1d
from sklearn.utils.validation import _check_sample_weight

from ..utils._docstrings import fill_docstring

# Row sums of probabilities from float32 networks (softmax over a few hundred
# classes) stay well within this of 1.
_PROBA_ATOL = 1e-5

_SHARED_PARAMETERS = """\
    y_true : array-like of shape (n_samples,)
        True class labels (numbers or strings).

    y_score : array-like of shape (n_samples, n_classes) or (n_samples,)
        Scores, one column per class in the order of ``labels``: probabilities
        (``predict_proba``) or any other finite scores where higher means more
        likely. For a binary problem a 1-D array of the scores of the positive
        class (``labels[1]``) is accepted too.

    labels : array-like of shape (n_classes,), default=None
        The classes that the columns of ``y_score`` stand for, in order; every
        class of ``y_true`` must be among them. ``None`` means the sorted
        unique values of ``y_true``. Pass ``estimator.classes_`` when
        ``y_score`` comes from ``predict_proba`` on data that may lack a class.

    require_proba : bool, default=False
        Raise a ``ValueError`` unless ``y_score`` holds probabilities: values
        in [0, 1] and, for 2-D scores, rows summing to 1. The metric itself is
        rank-based and does not need probabilities; this is a guard for
        callers that assume them (the scorers of :func:`imbalance_scorers`).

    sample_weight : array-like of shape (n_samples,), default=None
        Weight of each sample in every one-vs-rest score (weights count as
        repetitions); ``None`` weighs all samples equally.
"""


def _format_classes(classes):
    return str(np.asarray(classes).tolist())


def _check_probabilities(y_score):
    """Raise a ``ValueError`` unless ``y_score`` holds probabilities."""
    low, high = y_score.min(), y_score.max()
    if y_score.ndim == 1:
        if low < 0 or high > 1:
            raise ValueError(
                "y_score must hold probabilities (values in [0, 1]); got values "
                f"in [{low:.6g}, {high:.6g}]."
            )
        return
    sums = y_score.sum(axis=1)
    if low < 0 or high > 1 or not np.allclose(sums, 1.0, rtol=0, atol=_PROBA_ATOL):
        raise ValueError(
            "y_score must hold probabilities (rows in [0, 1] summing to 1); got "
            f"row sums in [{sums.min():.6g}, {sums.max():.6g}] and values in "
            f"[{low:.6g}, {high:.6g}]."
        )


def _one_vs_rest_problems(y_true, y_score, labels, require_proba, metric, weight):
    """Validate the inputs and split them into binary one-vs-rest problems.

    Returns
    -------
    problems : list of (ndarray of bool, ndarray of float)
        For a binary problem (two labels), one pair: whether each sample is of
        the positive class ``labels[1]``, and its score. Otherwise one pair per
        class present in ``y_true``, in the order of ``labels``: whether each
        sample is of that class, and that class's column of ``y_score``.
    """
    y_true = column_or_1d(y_true)
    if weight is not None:
        weight = _check_sample_weight(weight, y_true, ensure_non_negative=True)
    y_score = check_array(
        y_score,
        ensure_2d=False,
        dtype=np.float64,
        ensure_all_finite=False,
        input_name="y_score",
    )
    if len(y_score) != len(y_true):
        raise ValueError(
            f"y_true has {len(y_true)} samples but y_score has {len(y_score)} rows."
        )
    n_bad = np.count_nonzero(~np.isfinite(y_score))
    if n_bad:
        raise ValueError(
            f"y_score must be finite; got {n_bad} NaN or infinite value(s)."
        )

    present = np.unique(y_true)
    if labels is None:
        labels = present
        labels_text = f"labels=None, so the classes of y_true {_format_classes(labels)}"
    else:
        labels = column_or_1d(labels)
        if len(np.unique(labels)) != len(labels):
            raise ValueError(f"labels must be unique; got {_format_classes(labels)}.")
        labels_text = f"labels={_format_classes(labels)}"
        missing = present[~np.isin(present, labels)]
        if len(missing):
            raise ValueError(
                f"y_true has classes with no column in y_score: "
                f"{_format_classes(missing)}; {labels_text} give the column order."
            )

    if len(present) < 2:
        raise ValueError(
            f"{metric} needs at least 2 classes in y_true; got {len(present)} "
            f"({_format_classes(present)}). It is undefined when every sample has "
            "the same class."
        )
    if y_score.ndim == 1 and len(labels) != 2:
        raise ValueError(
            "A 1-D y_score holds the scores of the positive class of a binary "
            f"problem, but there are {len(labels)} classes ({labels_text}); pass "
            "one column per class."
        )
    if y_score.ndim == 2 and y_score.shape[1] != len(labels):
        raise ValueError(
            f"y_score has {y_score.shape[1]} columns but there are {len(labels)} "
            f"classes ({labels_text}); pass one column per class, in the order "
            "of labels."
        )
    if require_proba:
        _check_probabilities(y_score)

    if len(labels) == 2:
        positive = y_score if y_score.ndim == 1 else y_score[:, 1]
        return [(y_true == labels[1], positive)]
    is_present = np.isin(labels, present)
    return [
        (y_true == labels[column], y_score[:, column])
        for column in np.flatnonzero(is_present)
    ]


def multiclass_roc_auc_score(
    y_true, y_score, *, labels=None, require_proba=False, sample_weight=None
):
    """Multi-class ROC AUC: the mean over classes of one-vs-rest ROC AUCs.

    The metric of Buda et al. (2018, §3.4). Each class in turn is the positive
    class and all others the negative, its column of ``y_score`` ranks the
    samples, and the ROC AUCs of these binary problems are averaged with equal
    weight. For a binary problem it is the ordinary ROC AUC of the positive
    class ``labels[1]``. With probabilities and all classes present it equals
    ``sklearn.metrics.roc_auc_score(y_true, y_score, multi_class="ovr",
    average="macro")``.

    Parameters
    ----------
    {parameters}

    Returns
    -------
    score : float
        Between 0 and 1; 0.5 for random scores, 1 for a perfect ranking.

    Raises
    ------
    ValueError
        If ``y_true`` has fewer than 2 classes, a class of ``y_true`` is not in
        ``labels``, ``y_score`` does not have one column per label or holds
        NaN or infinite values, or ``require_proba`` is set and ``y_score``
        does not hold probabilities.

    See Also
    --------
    macro_average_precision_score : The same average for PR AUC.
    imbalance_scorers : Scorers for ``GridSearchCV`` and ``cross_validate``.
    sklearn.metrics.roc_auc_score : The binary AUC computed for each class.

    Notes
    -----
    Each one-vs-rest AUC depends only on the order of the scores in its
    column, so any finite scores work (logits, decision values), and
    renormalising the rows of ``y_score`` (as prior thresholding does) can
    change the result.

    Classes listed in ``labels`` but absent from ``y_true`` (a cross-validation
    fold that lacks a rare class) have no one-vs-rest AUC and are left out of
    the mean; the classes present are scored with their own columns. With more
    than two labels the mean is over one-vs-rest problems even when only two
    classes are present, so it is not the binary AUC of those two.

    References
    ----------
    .. [1] M. Buda, A. Maki and M. A. Mazurowski, "A systematic study of the
       class imbalance problem in convolutional neural networks", Neural
       Networks 106, 249-259, 2018.

    Examples
    --------
    >>> from skimbalance.metrics import multiclass_roc_auc_score
    >>> y_true = ["cat", "dog", "fish", "cat"]
    >>> y_score = [[0.7, 0.2, 0.1],
    ...            [0.3, 0.5, 0.2],
    ...            [0.2, 0.2, 0.6],
    ...            [0.5, 0.4, 0.1]]
    >>> float(multiclass_roc_auc_score(y_true, y_score))
    1.0
    >>> float(multiclass_roc_auc_score([0, 1, 1, 0], [0.1, 0.8, 0.3, 0.4]))
    0.75
    """
    problems = _one_vs_rest_problems(
        y_true, y_score, labels, require_proba, "ROC AUC", sample_weight
    )
    return float(
        np.mean([roc_auc_score(is_pos, score, sample_weight=sample_weight)
                 for is_pos, score in problems])
    )  # fmt: skip


def macro_average_precision_score(
    y_true, y_score, *, labels=None, require_proba=False, sample_weight=None
):
    """Macro average precision (PR AUC): the mean over classes of one-vs-rest AP.

    Each class in turn is the positive class, its column of ``y_score`` ranks
    the samples, and the average precisions of these binary problems are
    averaged with equal weight. For a binary problem it is the average
    precision of the positive class ``labels[1]``, as
    ``sklearn.metrics.average_precision_score`` computes it.

    Parameters
    ----------
    {parameters}

    Returns
    -------
    score : float
        Between 0 and 1; 1 for a perfect ranking. Unlike ROC AUC, random scores
        give about the frequency of each class, so rare classes pull it down.

    Raises
    ------
    ValueError
        If ``y_true`` has fewer than 2 classes, a class of ``y_true`` is not in
        ``labels``, ``y_score`` does not have one column per label or holds
        NaN or infinite values, or ``require_proba`` is set and ``y_score``
        does not hold probabilities.

    See Also
    --------
    multiclass_roc_auc_score : The same average for ROC AUC.
    sklearn.metrics.average_precision_score : The binary AP computed per class.

    Notes
    -----
    Average precision is rank-based like ROC AUC: any finite scores work.
    Classes in ``labels`` but absent from ``y_true`` are left out of the mean,
    as in :func:`multiclass_roc_auc_score`.

    Examples
    --------
    >>> from skimbalance.metrics import macro_average_precision_score
    >>> y_true = [0, 1, 2, 2]
    >>> y_score = [[0.8, 0.1, 0.1],
    ...            [0.1, 0.6, 0.3],
    ...            [0.4, 0.1, 0.5],
    ...            [0.5, 0.2, 0.3]]
    >>> round(macro_average_precision_score(y_true, y_score), 4)
    0.9444
    """
    problems = _one_vs_rest_problems(
        y_true, y_score, labels, require_proba, "Average precision", sample_weight
    )
    return float(
        np.mean([average_precision_score(is_pos, score, sample_weight=sample_weight)
                 for is_pos, score in problems])
    )  # fmt: skip


for _metric in (multiclass_roc_auc_score, macro_average_precision_score):
    fill_docstring(_metric, {"    {parameters}\n": _SHARED_PARAMETERS})
del _metric
