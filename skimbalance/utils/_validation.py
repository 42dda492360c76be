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


def check_label_types(labels, name="y"):
    """A ValueError naming ``name`` unless its labels are all strings or all
    numbers, none missing: a None or a NaN is not a class, and a mix of
    strings and numbers has no order (NumPy's sort would fail with a bare
    TypeError).

    >>> check_label_types(np.array(["cat", 3], dtype=object))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y must be all strings or all numbers; got a mix of str and int, ...
    """
    if labels is None:  # the caller's validation says y is required
        return
    labels = np.asarray(labels)
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        position = int(np.flatnonzero(np.isnan(labels))[0])
        raise ValueError(
            f"{name} must not contain NaN; got NaN at index {position}. Drop or "
            "label those samples first."
        )
    if labels.dtype != object:
        return
    kinds = {}
    for i, label in enumerate(labels.ravel().tolist()):
        if label is None or (isinstance(label, float) and np.isnan(label)):
            raise ValueError(
                f"{name}[{i}] is {label!r}: every example needs a class label."
            )
        kinds.setdefault("str" if isinstance(label, str) else "number", (i, label))
    if len(kinds) > 1:
        (i, a), (j, b) = kinds["str"], kinds["number"]
        raise ValueError(
            f"{name} must be all strings or all numbers; got a mix of "
            f"{type(a).__name__} and {type(b).__name__}, e.g. {a!r} at index {i} "
            f"and {b!r} at index {j}."
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
        check_label_types(y)
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
