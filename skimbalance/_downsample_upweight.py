"""Downsample the majority class(es) and upweight what is kept by the same factor."""

from numbers import Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing, check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import has_fit_parameter

from ._meta import BaseMetaClassifier
from .sampling.base import _check_X
from .utils._atomic import restore_on_error


class DownsampleUpweightClassifier(BaseMetaClassifier):
    """Train on a downsampled majority, upweighted by the downsampling factor.

    Every class larger than the smallest one keeps ``1 / factor`` of its
    examples (never fewer than the smallest class has), drawn at random, and
    each kept example gets the weight ``n_c / kept_c`` (about ``factor``).
    The model thus sees more balanced batches, learning what each class
    looks like, while the weights keep the loss an unbiased estimate of the
    full-data loss, so predicted probabilities keep the true class
    frequencies (Google's "downsampling and upweighting" recipe).

    Parameters
    ----------
    estimator : classifier
        Must accept ``sample_weight`` in ``fit``.
    factor : float >= 1 or "auto", default="auto"
        Downsampling factor of the majority class(es). ``"auto"`` uses
        ``sqrt(n_c / n_min)`` for class ``c``, halfway to balance on a log
        scale (99:1 becomes about 10:1): full balance would keep so few
        majority examples (100 of 9900) that the model overfits them and
        its probabilities drift from the true frequencies.
    random_state : int, RandomState instance or None, default=None
        Which examples are kept.

    Attributes
    ----------
    estimator_ : classifier
        Fitted on the kept examples with the upweighting.
    sample_indices_ : ndarray
        Rows of ``X`` that were kept.
    class_weights_ : dict
        Weight given to each class's kept examples (``n_c / kept_c``).
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    Notes
    -----
    The prediction methods are those of the inner estimator
    (``predict_proba``, ``predict_log_proba``, ``decision_function``), present
    only when it has them. ``sample_weight`` must be finite and >= 0.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skimbalance import DownsampleUpweightClassifier
    >>> X, y = make_classification(5000, weights=[0.97], random_state=0)
    >>> model = DownsampleUpweightClassifier(LogisticRegression(), factor=8,
    ...                                      random_state=0).fit(X, y)
    >>> {int(k): round(v, 2) for k, v in model.class_weights_.items()}
    {0: 8.0, 1: 1.0}
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "factor": [Interval(Real, 1, None, closed="left"), StrOptions({"auto"})],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator, *, factor="auto", random_state=None):
        self.estimator = estimator
        self.factor = factor
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Downsample, upweight, fit a clone of ``estimator``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training data, as accepted by ``estimator.fit``.
        y : array-like of shape (n_samples,)
            Target labels.
        sample_weight : array-like of shape (n_samples,) or None
            Multiplied into the upweighting.

        Returns
        -------
        self : DownsampleUpweightClassifier
        """
        if not has_fit_parameter(self.estimator, "sample_weight"):
            raise ValueError(
                f"estimator={self.estimator!r} does not accept sample_weight in "
                "fit, which upweighting needs."
            )
        with restore_on_error(self):
            X = _check_X(X)
            y, sample_weight = self._check_fit_inputs(X, y, sample_weight)
            classes, y_pos, counts = np.unique(
                y, return_inverse=True, return_counts=True
            )
            n_min = counts.min()
            # "auto": halfway to balance on a log scale, sqrt(n_c / n_min).
            factor = np.sqrt(counts / n_min) if self.factor == "auto" else self.factor
            kept = np.clip(np.ceil(counts / factor), n_min, counts).astype(int)
            rng = check_random_state(self.random_state)
            index = np.sort(
                np.concatenate(
                    [
                        rng.choice(np.flatnonzero(y_pos == c), size=k, replace=False)
                        for c, k in enumerate(kept)
                    ]
                )
            )
            weight_of_class = counts / kept
            weight = weight_of_class[y_pos[index]]
            if sample_weight is not None:
                weight = weight * sample_weight[index]
            self.sample_indices_ = index
            self.class_weights_ = dict(zip(classes.tolist(), weight_of_class.tolist()))
            self._fit_estimator(
                _safe_indexing(X, index), y[index], sample_weight=weight
            )
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags
