"""Random over-sampling to a target imbalance ratio (paper §4.5)."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from .base import BaseImbalanceSampler, ceil_count, fill_shared_docs


@fill_shared_docs
class RatioOverSampler(BaseImbalanceSampler):
    """Replicate random minority examples until max/min <= ``imbalance_ratio``.

    Every class smaller than ``ceil(n_max / imbalance_ratio)`` (computed with a
    relative tolerance of 1e-9, so a ratio the data already meets is a no-op)
    gets random
    copies of its own examples (drawn with replacement) up to that size;
    larger classes are untouched. ``imbalance_ratio=1`` is full random
    over-sampling; larger values over-sample partially (paper §4.5). One
    number for any number of classes, so a grid search varies one value.

    Parameters
    ----------
    imbalance_ratio : float, default=1.0
        Largest allowed ratio of the biggest to the smallest class size after
        resampling; at least 1.

    {random_state}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    RatioUnderSampler : Drop majority examples instead.
    imblearn.over_sampling.RandomOverSampler : Same draws, per-class strategy.

    Examples
    --------
    >>> import numpy as np
    >>> from skimbalance.sampling import RatioOverSampler
    >>> X, y = np.zeros((111, 2)), np.repeat([0, 1, 2], [100, 10, 1])
    >>> X_res, y_res = RatioOverSampler(imbalance_ratio=4).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [100, 25, 25]
    """

    _sampling_type = "over-sampling"

    _parameter_constraints: dict = {
        "imbalance_ratio": [Interval(Real, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, imbalance_ratio=1.0, random_state=None):
        self.imbalance_ratio = imbalance_ratio
        self.random_state = random_state

    def _target_counts(self, classes, counts, random_state):
        floor = ceil_count(counts.max() / self.imbalance_ratio)
        return np.maximum(counts, floor)
