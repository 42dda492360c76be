"""Function forms of the imbalance samplers, in the style of ``make_*`` helpers.

The samplers are imported inside the functions: :mod:`skimbalance.sampling`
imports :class:`~skimbalance.datasets.ImageArray` from this package.
"""


def make_step_imbalance(
    X, y, *, rho, mu, n_majority=None, minority_classes="random", random_state=None
):
    """Step-imbalanced subset of ``X, y`` (paper §3.1).

    Shorthand for ``StepImbalanceSampler(...).fit_resample(X, y)``; see
    :class:`~skimbalance.sampling.StepImbalanceSampler` for the counts and
    how ``mu`` rounds to a whole number of classes.

    Parameters
    ----------
    X : {array-like, sparse matrix, dataframe} of shape (n_samples, ...)
        Data, 2-D or N-D.
    y : array-like of shape (n_samples,)
        Class labels.
    rho : float
        Majority / minority class size, at least 1.
    mu : float
        Fraction of minority classes, in (0, 1].
    n_majority : int or None, default=None
        Size of each majority class; ``None`` is the smallest class count.
    minority_classes : {"random", "lowest"} or array-like, default="random"
        Which classes become minority.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws.

    Returns
    -------
    X_imbalanced, y_imbalanced
        The subset, of the same kind as ``X`` and ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from skimbalance.datasets import make_step_imbalance
    >>> X, y = np.zeros((300, 4)), np.repeat([0, 1, 2], 100)
    >>> X_imb, y_imb = make_step_imbalance(X, y, rho=20, mu=0.34, random_state=0)
    >>> sorted(np.bincount(y_imb).tolist())
    [5, 100, 100]
    """
    from ..sampling import StepImbalanceSampler

    sampler = StepImbalanceSampler(
        rho=rho,
        mu=mu,
        n_majority=n_majority,
        minority_classes=minority_classes,
        random_state=random_state,
    )
    return sampler.fit_resample(X, y)


def make_linear_imbalance(
    X, y, *, rho, n_max=None, class_order="random", random_state=None
):
    """Linearly imbalanced subset of ``X, y`` (paper §3.1).

    Shorthand for ``LinearImbalanceSampler(...).fit_resample(X, y)``; see
    :class:`~skimbalance.sampling.LinearImbalanceSampler` for the counts.

    Parameters
    ----------
    X : {array-like, sparse matrix, dataframe} of shape (n_samples, ...)
        Data, 2-D or N-D.
    y : array-like of shape (n_samples,)
        Class labels.
    rho : float
        Largest / smallest class size, at least 1.
    n_max : int or None, default=None
        Size of the largest class; ``None`` is the smallest class count.
    class_order : {"random", "lowest"} or array-like, default="random"
        Which class gets which size (explicit order: smallest first).
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws.

    Returns
    -------
    X_imbalanced, y_imbalanced
        The subset, of the same kind as ``X`` and ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from skimbalance.datasets import make_linear_imbalance
    >>> X, y = np.zeros((300, 4)), np.repeat([0, 1, 2], 100)
    >>> X_imb, y_imb = make_linear_imbalance(X, y, rho=10, class_order="lowest")
    >>> np.bincount(y_imb).tolist()
    [10, 55, 100]
    """
    from ..sampling import LinearImbalanceSampler

    sampler = LinearImbalanceSampler(
        rho=rho, n_max=n_max, class_order=class_order, random_state=random_state
    )
    return sampler.fit_resample(X, y)
