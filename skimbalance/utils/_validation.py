"""Input checks shared by the estimators and samplers, each message written once."""

import numbers

import numpy as np
from sklearn.utils._param_validation import validate_parameter_constraints
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
    >>> check_single_target(["cat", None])
    Traceback (most recent call last):
    ...
    ValueError: y[1] is None: every example needs a class label.
    """
    if y is not None and np.asarray(y).dtype == object:
        missing = [i for i, label in enumerate(np.ravel(np.asarray(y, dtype=object)))
                   if label is None]  # fmt: skip
        if missing:
            raise ValueError(
                f"y[{missing[0]}] is None: every example needs a class label."
            )
    check_classification_targets(y)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        raise ValueError("Multilabel and multioutput targets are not supported.")
    return column_or_1d(y, warn=True)


def check_shape(value, name, *, length=None, expected="a tuple of positive ints"):
    """``value`` as a tuple of positive ints (``length`` of them, when given).

    Raises a ValueError naming ``name``, what is ``expected`` and the value.

    >>> check_shape([1, 28, 28], "input_shape")
    (1, 28, 28)
    >>> check_shape((3, 0), "image_size", length=2, expected="(height, width)")
    Traceback (most recent call last):
    ...
    ValueError: image_size must be (height, width); got image_size=(3, 0).
    """
    try:
        shape = tuple(value)
    except TypeError:
        shape = ()
    valid = bool(shape) and (length is None or len(shape) == length)
    if not valid or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
        for s in shape
    ):
        raise ValueError(f"{name} must be {expected}; got {name}={value!r}.")
    return tuple(int(s) for s in shape)


def check_parameter(value, name, constraints, owner):
    """``value`` if it meets scikit-learn ``constraints`` (a list, as in
    ``_parameter_constraints``), else sklearn's error naming ``name``, its
    ``owner`` (the class or function) and the value.

    >>> from numbers import Integral
    >>> from sklearn.utils._param_validation import Interval
    >>> positive = [Interval(Integral, 1, None, closed="left")]
    >>> check_parameter(0, "n_classes", positive, "MLP")
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'n_classes' parameter \
of MLP must be an int in the range [1, inf). Got 0 instead.
    """
    validate_parameter_constraints(
        {name: constraints}, {name: value}, caller_name=owner
    )
    return value


def check_n_features(estimator, n_features, *, reset):
    """Set (``reset``) or check ``n_features_in_`` for input that ``validate_data``
    cannot see whole (a lazy ImageArray: its values per example, ``C * H * W``),
    with scikit-learn's message."""
    if reset:
        estimator.n_features_in_ = n_features
    elif n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features, but {type(estimator).__name__} is "
            f"expecting {estimator.n_features_in_} features as input."
        )
