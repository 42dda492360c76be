"""Input checks shared by the estimators and samplers, each message written once."""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples, column_or_1d


def check_same_length(X, y):
    """Raise a ValueError naming both lengths unless ``X`` and ``y`` match.

    >>> check_same_length(np.zeros((3, 2)), [0, 1])
    Traceback (most recent call last):
    ...
    ValueError: X and y must have the same number of samples; got len(X)=3 and len(y)=2.
    """
    n_X, n_y = _num_samples(X), _num_samples(y)
    if n_X != n_y:
        raise ValueError(
            f"X and y must have the same number of samples; got len(X)={n_X} "
            f"and len(y)={n_y}."
        )


def check_single_target(y):
    """``y`` as a 1-D array of class labels.

    Continuous targets are refused by scikit-learn's message ("Unknown label
    type"), multilabel and multioutput ones by imbalanced-learn's; a column
    vector is raveled with scikit-learn's DataConversionWarning.

    >>> check_single_target(["cat", "dog"]).tolist()
    ['cat', 'dog']
    """
    check_classification_targets(y)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        raise ValueError("Multilabel and multioutput targets are not supported.")
    return column_or_1d(y, warn=True)
