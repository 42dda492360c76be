"""Step imbalance (Buda et al. 2018, §3.1) as an imbalanced-learn sampler."""

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
class StepImbalanceSampler(BaseImbalanceSampler):
    """Make a dataset step-imbalanced: some classes become minority classes.

    Majority classes keep ``n_majority`` examples each and minority classes
    keep ``max(1, round(n_majority / rho))`` each, drawn at random without
    replacement (paper §3.1: ``mu`` is the fraction of minority classes and
    ``rho`` the ratio of majority to minority class size).

    Parameters
    ----------
    rho : float, default=10
        Imbalance ratio, majority size / minority size; at least 1.

    mu : float, default=0.5
        Fraction of the classes that are minority, in (0, 1]. The number of
        minority classes is ``round(mu * n_classes)`` with halves rounded up
        (``mu=0.25`` of 10 classes gives 3); a ``mu`` that rounds to no class
        is an error. Not used when ``minority_classes`` is a list.

    n_majority : int or None, default=None
        Examples kept in each majority class. ``None`` uses the smallest class
        count, so the balanced starting point is exact. It cannot exceed the
        smallest class count.

    minority_classes : {"random", "lowest"} or array-like, default="random"
        Which classes become minority: drawn at random (the paper's MNIST
        protocol), the lowest labels (its CIFAR-10 protocol), or the given
        labels.

    {random_state}

    Attributes
    ----------
    minority_classes_ : ndarray
        The minority classes, sorted.

    {fitted_attributes}

    See Also
    --------
    LinearImbalanceSampler : Class sizes decreasing linearly.
    skimbalance.datasets.make_step_imbalance : Function form.

    References
    ----------
    .. [1] M. Buda, A. Maki, M. A. Mazurowski, "A systematic study of the class
       imbalance problem in convolutional neural networks", Neural Networks
       106, 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skimbalance.sampling import StepImbalanceSampler
    >>> X, y = np.zeros((400, 2)), np.repeat([0, 1, 2, 3], 100)
    >>> sampler = StepImbalanceSampler(rho=10, mu=0.5, minority_classes="lowest")
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [10, 10, 100, 100]
    """

    _parameter_constraints: dict = {
        "rho": [Interval(Real, 1, None, closed="left")],
        "mu": [Interval(Real, 0, 1, closed="right")],
        "n_majority": [Interval(Integral, 1, None, closed="left"), None],
        "minority_classes": [StrOptions({"random", "lowest"}), "array-like"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        rho=10,
        mu=0.5,
        n_majority=None,
        minority_classes="random",
        random_state=None,
    ):
        self.rho = rho
        self.mu = mu
        self.n_majority = n_majority
        self.minority_classes = minority_classes
        self.random_state = random_state

    def _target_counts(self, classes, counts, random_state):
        n_majority = check_n_largest(self.n_majority, "n_majority", counts)
        is_minority = np.isin(classes, self._pick_minority(classes, random_state))
        self.minority_classes_ = classes[is_minority]
        n_minority = max(1, round_half_up(n_majority / self.rho))
        return np.where(is_minority, n_minority, n_majority)

    def _pick_minority(self, classes, random_state):
        if not isinstance(self.minority_classes, str):
            return check_known_classes(
                self.minority_classes, "minority_classes", classes
            )
        n_classes = len(classes)
        n_minority = round_half_up(self.mu * n_classes)
        if n_minority < 1:
            raise ValueError(
                f"mu={self.mu} gives no minority class among {n_classes} classes "
                f"(round(mu * n_classes) = 0); use mu >= {0.5 / n_classes:g}."
            )
        if self.minority_classes == "lowest":
            return classes[:n_minority]
        return random_state.choice(classes, size=n_minority, replace=False)
