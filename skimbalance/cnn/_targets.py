"""The labels and weights of a training call, checked before any work.

The classes of a new network come from ``y`` (or the ``classes`` given);
later calls must keep to them. Every example gets its class position (what
the losses and the class-aware batches use) and one weight, the product of
``sample_weight`` and ``class_weight``.
"""

import math
from numbers import Real

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight

from ..utils._validation import check_same_length, check_single_target


def new_classes(labels, given, estimator):
    """The sorted classes of a new network: those ``given``, else those of
    ``labels`` (checked by :func:`check_labels`)."""
    known = np.unique(labels if given is None else np.asarray(given))
    if len(known) < 2:
        n = len(labels)
        raise ValueError(
            f"{type(estimator).__name__} needs samples of at least 2 classes; got "
            f"{n} sample{'s' * (n != 1)} of 1 class ({known.tolist()[0]!r})."
        )
    return known


def known_classes(classes_, classes):
    """The classes of a continuing call; ``classes``, if given, must be them."""
    if classes is not None and not np.array_equal(
        np.unique(np.asarray(classes)), classes_
    ):
        raise ValueError(
            f"classes={np.asarray(classes).tolist()} is not the same as on the first "
            f"call to partial_fit, was: {classes_.tolist()}."
        )
    return classes_


def check_labels(X, y):
    """``y`` as 1-D labels, one per example of ``X``."""
    labels = check_single_target(y)
    check_same_length(X, labels)
    return labels


def class_positions(labels, known, continuing):
    """The position in ``known`` of every label; each must be one of them."""
    unknown = np.setdiff1d(labels, known)
    if unknown.size:
        raise ValueError(
            f"y contains classes not seen in the first fit: {unknown.tolist()}; "
            f"known classes are {known.tolist()}."
            if continuing
            else f"y contains classes {unknown.tolist()} that are not in "
            f"classes={known.tolist()}."
        )
    return np.searchsorted(known, labels).astype(np.int64)


def example_weights(sample_weight, class_weight, known, labels, targets):
    """float32 weight of each example, or None when all are 1."""
    weight = None
    if sample_weight is not None:
        weight = _check_sample_weight(
            sample_weight, np.empty((len(labels), 0)), dtype=np.float32,
            ensure_non_negative=True,
        )  # fmt: skip
    if class_weight is not None:
        per_class = class_weights(class_weight, known, labels)
        weight = per_class[targets] * (1 if weight is None else weight)
    return weight


def class_weights(class_weight, classes, y):
    """Per-class weights (float32) of ``class_weight``; errors name the class."""
    if isinstance(class_weight, dict):
        known = set(classes.tolist())
        for label, value in class_weight.items():
            if label not in known:
                raise ValueError(
                    f"class_weight has a weight for class {label!r}, which is not "
                    f"one of the classes {classes.tolist()}."
                )
            if not (isinstance(value, Real) and math.isfinite(value) and value >= 0):
                raise ValueError(
                    f"class_weight[{label!r}]={value!r}: class weights must be "
                    "finite numbers >= 0."
                )
        return np.array(
            [class_weight.get(c, 1.0) for c in classes.tolist()], np.float32
        )
    return compute_class_weight(class_weight, classes=classes, y=y).astype(np.float32)
