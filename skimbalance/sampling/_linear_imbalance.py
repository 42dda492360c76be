"""Linear imbalance (Buda et al. 2018, §3.1) as an imbalanced-learn sampler."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .base import (
    BaseImbalanceSampler,
    check_known_classes,
    check_n_largest,
    fill_shared_docs,
    round_half_up,
)


@fill_shared_docs
class LinearImbalanceSampler(BaseImbalanceSampler):
    """Make a dataset linearly imbalanced: class sizes fall in equal steps.

    With ``N`` classes in ``class_order_`` (smallest first), class ``k``
    keeps ``round(n_max / rho + k * (n_max - n_max / rho) / (N - 1))``
    examples (halves rounded up, at least 1), so the largest class has
    ``n_max``, the smallest ``n_max / rho`` and consecutive classes differ by
    the same amount (paper §3.1, Figure 1c).

    Parameters
    ----------
    rho : float, default=10
        Ratio of the largest to the smallest class size; at least 1.

    n_max : int or None, default=None
        Size of the largest class after resampling. ``None`` uses the
        smallest class count; it cannot exceed it.

    class_order : {"random", "lowest"} or array-like, default="random"
        Which class gets which size: a random order, the lowest labels
        smallest, or every class listed from the smallest to the largest.

    {random_state}

    Attributes
    ----------
    class_order_ : ndarray of shape (n_classes,)
        Classes from the smallest to the largest.

    minority_classes_ : ndarray
        Classes smaller than ``n_max``, sorted.

    {fitted_attributes}

    See Also
    --------
    StepImbalanceSampler : Two class sizes, minority and majority.
    skimbalance.datasets.make_linear_imbalance : Function form.

    Examples
    --------
    >>> import numpy as np
    >>> from skimbalance.sampling import LinearImbalanceSampler
    >>> X, y = np.zeros((500, 3)), np.repeat([0, 1, 2, 3, 4], 100)
    >>> sampler = LinearImbalanceSampler(rho=5, class_order="lowest")
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [20, 40, 60, 80, 100]
    """

    _parameter_constraints: dict = {
        "rho": [Interval(Real, 1, None, closed="left")],
        "n_max": [Interval(Integral, 1, None, closed="left"), None],
        "class_order": [StrOptions({"random", "lowest"}), "array-like"],
        "random_state": ["random_state"],
    }

    def __init__(self, *, rho=10, n_max=None, class_order="random", random_state=None):
        self.rho = rho
        self.n_max = n_max
        self.class_order = class_order
        self.random_state = random_state

    def _target_counts(self, classes, counts, random_state):
        n_max = check_n_largest(self.n_max, "n_max", counts)
        order = self._order(classes, random_state)
        n_min = n_max / self.rho
        step = (n_max - n_min) / (len(classes) - 1)
        sizes = [max(1, round_half_up(n_min + k * step)) for k in range(len(order))]
        size_of = dict(zip(order.tolist(), sizes))
        self.class_order_ = order
        target = np.array([size_of[c] for c in classes.tolist()])
        self.minority_classes_ = classes[target < n_max]
        return target

    def _order(self, classes, random_state):
        if isinstance(self.class_order, str):
            if self.class_order == "lowest":
                return classes.copy()
            return random_state.permutation(classes)
        order = check_known_classes(self.class_order, "class_order", classes)
        if len(order) != len(classes):
            missing = sorted(set(classes.tolist()) - set(order.tolist()))
            raise ValueError(
                f"class_order must list every class in y; missing {missing}."
            )
        return order
