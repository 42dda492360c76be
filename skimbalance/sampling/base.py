"""Base class of the skimbalance samplers.

Every sampler here does the same thing once it knows how many examples each
class should have after resampling: keep a random subset of a class (drawn
without replacement) or keep all of it and add random copies (drawn with
replacement). Subclasses only say how many, in :meth:`_target_counts`; this
module does validation, the drawing, ``sample_indices_`` and the container
round trip (lists, pandas) through imbalanced-learn's ``ArraysTransformer``.
"""

import math
from abc import abstractmethod

import numpy as np
from imblearn.base import BaseSampler
from imblearn.utils import check_target_type
from imblearn.utils._validation import ArraysTransformer
from sklearn.base import _fit_context
from sklearn.preprocessing import label_binarize
from sklearn.utils import _safe_indexing, check_array, check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ..datasets._image_array import ImageArray
from ..utils._docstrings import fill_docstring
from ..utils._validation import check_label_types, check_same_length

#: Relative tolerance of the count arithmetic, so that a ratio the data already
#: meets up to float rounding (``imbalance_ratio=17/7`` on 7 and 17) changes nothing.
_RTOL = 1e-9


def ceil_count(value):
    """``ceil(value)``, forgiving float rounding just above an integer.

    >>> ceil_count(17 / (17 / 7)), ceil_count(7.5), ceil_count(1e-300)
    (7, 8, 0)
    """
    return int(math.ceil(value - _RTOL * max(1.0, abs(value))))


def floor_count(value, cap):
    """``floor(value)``, forgiving float rounding just below an integer, at most
    ``cap`` (so a huge or infinite ``value`` is ``cap``).

    >>> floor_count(7 * (61 / 7), 100), floor_count(7 * 1e308, 61)
    (61, 61)
    """
    if not value < cap:
        return int(cap)
    return int(math.floor(value + _RTOL * max(1.0, value)))


def round_half_up(value):
    """Round to the nearest integer, halves upward (``2.5 -> 3``).

    Python's :func:`round` rounds halves to even, which would make
    ``mu=0.25`` of 2 classes and ``mu=0.35`` of 10 classes behave
    differently from what users read in the formula; this does not.

    >>> round_half_up(2.5), round_half_up(2.4999), round_half_up(0.3 * 10)
    (3, 2, 3)
    """
    return int(np.floor(value + 0.5))


def _check_X(X):
    """Validate ``X`` without changing its kind: 2-D, N-D, sparse, pandas, or a
    lazy :class:`~skimbalance.datasets.ImageArray` (kept lazy)."""
    if isinstance(X, ImageArray) or (hasattr(X, "iloc") and hasattr(X, "columns")):
        return X
    return check_array(
        X,
        dtype=None,
        accept_sparse=["csr", "csc"],
        ensure_all_finite=False,
        allow_nd=True,
    )


def check_n_largest(value, name, counts):
    """Resolve ``n_majority`` / ``n_max``: default and upper bound is min(counts)."""
    smallest = int(counts.min())
    if value is None:
        return smallest
    if value > smallest:
        raise ValueError(
            f"{name}={value} is larger than the smallest class ({smallest} "
            f"examples); use {name} <= {smallest} or None."
        )
    return int(value)


def check_known_classes(values, name, classes):
    """Validate a user list of class labels against the classes in y."""
    values = np.asarray(values)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError(f"{name} must be a non-empty list of classes; got {values!r}.")
    known = set(classes.tolist())
    unknown = [v for v in values.tolist() if v not in known]
    if unknown:
        raise ValueError(
            f"{name} contains classes not in y: {unknown}; classes in y are "
            f"{classes.tolist()}."
        )
    if len(set(values.tolist())) != len(values):
        raise ValueError(f"{name} contains duplicates: {values.tolist()}.")
    return values


class BaseImbalanceSampler(BaseSampler):
    """Shared template of the skimbalance samplers.

    Unlike imbalanced-learn samplers there is no ``sampling_strategy``
    parameter: each subclass has one or two numbers (``rho``, ``mu``,
    ``imbalance_ratio``) that say how many examples every class keeps, for
    any number of classes, so that a grid search can vary a single value.

    ``X`` may be 2-D, N-D (image arrays such as ``(n, 1, 28, 28)`` keep their
    shape), sparse, a list, a pandas DataFrame or a lazy
    :class:`~skimbalance.datasets.ImageArray`; the output has the same kind.
    For an ImageArray it is a lazy view (the rows ``sample_indices_`` of the
    same files or array), so resampling costs an index array. The caller's
    arrays are never modified.
    """

    #: "over-sampling" if classes can grow, else "under-sampling"; decides the
    #: meaning of ``sampling_strategy_`` as in imbalanced-learn.
    _sampling_type = "under-sampling"

    _parameter_constraints: dict = {}

    def __init__(self):
        # No ``sampling_strategy``: subclasses store their own parameters.
        pass

    @abstractmethod
    def _target_counts(self, classes, counts, random_state):
        """Return the number of examples each class has after resampling.

        Parameters
        ----------
        classes : ndarray of shape (n_classes,)
            Sorted class labels.
        counts : ndarray of shape (n_classes,)
            Number of examples of each class in ``y``.
        random_state : RandomState
            Generator for any random choice (which classes are minority).

        Returns
        -------
        target : ndarray of int of shape (n_classes,)
        """

    def _draw_with_replacement(self):
        """Whether a shrinking class keeps a bootstrap sample (hook)."""
        return False

    def _check_X_y(self, X, y):
        check_same_length(X, y)
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X = _check_X(X)
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        return X, y, binarize_y

    def _fit(self, X, y):
        """Validate, then set every fitted attribute; return the checked arrays."""
        check_label_types(y)
        check_classification_targets(y)
        X, y, binarize_y = self._check_X_y(X, y)
        classes, y_encoded, counts = np.unique(
            y, return_inverse=True, return_counts=True
        )
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; got "
                f"1 class ({classes.tolist()[0]!r}) in y."
            )
        random_state = check_random_state(self.random_state)
        target = np.asarray(self._target_counts(classes, counts, random_state))
        self.sample_indices_ = _draw_indices(
            y_encoded, counts, target, random_state,
            replacement=self._draw_with_replacement(),
        )  # fmt: skip
        self.class_counts_ = dict(zip(classes.tolist(), target.tolist()))
        change = target - counts if self._sampling_type == "over-sampling" else target
        self.sampling_strategy_ = dict(zip(classes.tolist(), change.tolist()))
        return X, y, binarize_y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Check the inputs and decide which rows the resampled set holds.

        Parameters
        ----------
        X : {array-like, sparse matrix, dataframe} of shape (n_samples, ...)
            Data; any number of dimensions after the first.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            Fitted sampler (``sample_indices_`` is set; no data is copied).
        """
        self._fit(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y):
        """Resample the dataset.

        Parameters
        ----------
        X : {array-like, sparse matrix, dataframe} of shape (n_samples, ...)
            Data; any number of dimensions after the first.
        y : array-like of shape (n_samples,)
            Class labels (integers, strings, ...).

        Returns
        -------
        X_resampled : same kind as ``X``, shape (n_samples_new, ...)
            ``X[sample_indices_]``.
        y_resampled : same kind as ``y``, shape (n_samples_new,)
            ``y[sample_indices_]``.
        """
        arrays_transformer = ArraysTransformer(X, y)
        X, y, binarize_y = self._fit(X, y)
        X_res, y_res = self._fit_resample(X, y)
        if binarize_y:
            y_res = label_binarize(y_res, classes=np.unique(y))
        return arrays_transformer.transform(X_res, y_res)

    def _fit_resample(self, X, y):
        """Take the rows chosen in :meth:`_fit`; ``X`` and ``y`` are checked."""
        return (
            _safe_indexing(X, self.sample_indices_),
            _safe_indexing(y, self.sample_indices_),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.sparse = True
        tags.input_tags.dataframe = True
        tags.input_tags.three_d_array = True
        tags.sampler_tags.sample_indices = True
        return tags


def _draw_indices(y_encoded, counts, target, random_state, replacement=False):
    """Row indices holding ``target[c]`` examples of each class ``c``.

    A class that shrinks keeps a random subset (without replacement, unless
    ``replacement``); a class that grows keeps every row and gets random extra
    copies (with replacement). Kept rows come first in their original order,
    then the copies, as imbalanced-learn's ``RandomOverSampler`` does.
    """
    by_class = np.argsort(y_encoded, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    n_kept = int(np.minimum(counts, target).sum())
    # one output array, filled in place: a million rows take no more memory
    # than the answer (the kept rows, sorted in place, then the copies)
    indices = np.empty(int(np.sum(target)), dtype=np.intp)
    kept_end, added_end = 0, n_kept
    for start, n_c, t_c in zip(starts, counts, target):
        members = by_class[start : start + n_c]
        if t_c < n_c:
            draw = random_state.choice(n_c, size=t_c, replace=replacement)
            indices[kept_end : kept_end + t_c] = members[draw]
            kept_end += t_c
        else:
            indices[kept_end : kept_end + n_c] = members
            kept_end += n_c
            if t_c > n_c:
                copies = random_state.randint(0, n_c, size=t_c - n_c)
                indices[added_end : added_end + t_c - n_c] = members[copies]
                added_end += t_c - n_c
    indices[:n_kept].sort()
    return indices


def fill_shared_docs(cls):
    """Class decorator: replace ``{name}`` in the docstring by a shared fragment."""
    return fill_docstring(cls, {"{" + k + "}": v for k, v in _SHARED_DOCS.items()})


_SHARED_DOCS = {
    "random_state": """random_state : int, RandomState instance or None, default=None
        Controls the random draws. Pass an int for reproducible output.""",
    "fitted_attributes": """class_counts_ : dict
        Number of examples of each class after resampling.

    sampling_strategy_ : dict
        As in imbalanced-learn: for an over-sampler, the number of examples
        added to each class; for an under-sampler, the number kept.

    sample_indices_ : ndarray of shape (n_samples_new,)
        Row of the input each output row was taken from.

    n_features_in_ : int
        Size of the second dimension of ``X``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, set only when ``X`` is a DataFrame with string names.""",
}
