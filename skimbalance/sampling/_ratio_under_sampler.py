"""Random under-sampling to a target imbalance ratio (paper §4.5)."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from .base import BaseImbalanceSampler, fill_shared_docs, floor_count


@fill_shared_docs
class RatioUnderSampler(BaseImbalanceSampler):
    """Drop random majority examples until max/min <= ``imbalance_ratio``.

    Every class larger than ``floor(n_min * imbalance_ratio)`` (computed with
    a relative tolerance of 1e-9, so a ratio the data already meets is a
    no-op, and a huge ratio too) keeps a random subset of that size; smaller
    classes are untouched. ``imbalance_ratio=1`` is full random
    under-sampling; larger values under-sample partially (paper §4.5).

    Parameters
    ----------
    imbalance_ratio : float, default=1.0
        Largest allowed ratio of the biggest to the smallest class size after
        resampling; at least 1.

    replacement : bool, default=False
        Draw the kept examples of a shrinking class with replacement (as
        imbalanced-learn's ``RandomUnderSampler(replacement=True)``): a
        bootstrap sample, which may repeat some and skip others.

    {random_state}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    RatioOverSampler : Replicate minority examples instead.
    imblearn.under_sampling.RandomUnderSampler : Same draws, per-class strategy.

    Examples
    --------
    >>> import numpy as np
    >>> from skimbalance.sampling import RatioUnderSampler
    >>> X, y = np.zeros((111, 2)), np.repeat([0, 1, 2], [100, 10, 1])
    >>> X_res, y_res = RatioUnderSampler(imbalance_ratio=4).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [4, 4, 1]
    """

    _parameter_constraints: dict = {
        "imbalance_ratio": [Interval(Real, 1, None, closed="left")],
        "replacement": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, *, imbalance_ratio=1.0, replacement=False, random_state=None):
        self.imbalance_ratio = imbalance_ratio
        self.replacement = replacement
        self.random_state = random_state

    def _draw_with_replacement(self):
        return self.replacement

    def _target_counts(self, classes, counts, random_state):
        ceiling = floor_count(counts.min() * self.imbalance_ratio, counts.max())
        return np.minimum(counts, ceiling)
