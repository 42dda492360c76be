"""Class-aware sampling for PyTorch data loaders (Shen et al. 2016)."""

import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, validate_parameter_constraints
from torch.utils.data import Sampler

from ..utils._validation import check_label_types


def _encode_labels(labels):
    """Classes (sorted) and the class position of each label.

    Labels must be all strings or all numbers, none missing: a NaN or a None
    is not a class, and a mix of strings and numbers has no order.
    """
    check_label_types(labels, "labels")
    return np.unique(labels, return_inverse=True)


def _make_generator(random_state):
    """A :class:`numpy.random.Generator` for ``random_state``."""
    if random_state is None or (
        isinstance(random_state, numbers.Integral)
        and not isinstance(random_state, bool)
    ):
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        # Seed a Generator from the RandomState, advancing it once.
        return np.random.default_rng(random_state.randint(0, 2**32, size=4))
    raise ValueError(
        "random_state must be None, an int, a numpy.random.RandomState or a "
        f"numpy.random.Generator; got random_state={random_state!r}."
    )


class ClassAwareSampler(Sampler[int]):
    """Sample dataset indices so that every class is drawn equally often.

    Class-aware sampling: each draw first picks a class uniformly at random
    among the classes present in ``labels``, then an example of that class
    uniformly at random, with replacement. Mini-batches are therefore
    balanced in expectation, however imbalanced the dataset, without copying
    any data; rare examples are simply revisited more often.

    Use it as the ``sampler=`` of any :class:`torch.utils.data.DataLoader`,
    or call :meth:`sample_indices` to draw many indices at once.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Class label of each dataset index ``0 .. n_samples - 1``. Any labels
        numpy can hold in a 1-D array (ints, strings, ...); a tensor is
        moved to the CPU.
    num_samples : int, default=None
        Number of indices yielded by each iteration (one "epoch");
        ``None`` means ``n_samples``.
    random_state : int, numpy.random.RandomState, numpy.random.Generator \
            or None, default=None
        Seeds the sampler's own generator; the global random state is never
        used. Two samplers built with the same int yield the same sequence;
        successive iterations of one sampler differ. A Generator is used
        (and advanced) as is; a RandomState seeds a new Generator.

    Attributes
    ----------
    classes_ : numpy.ndarray of shape (n_classes,)
        The distinct labels, sorted.
    class_counts_ : numpy.ndarray of shape (n_classes,)
        Number of indices of each class in ``classes_``.

    See Also
    --------
    torch.utils.data.WeightedRandomSampler : The same in expectation with
        weights ``1 / (n_classes * n_c)``, but one categorical draw per index.

    Notes
    -----
    Indices are drawn in one vectorised step: an array of class positions,
    then an offset into each class's block of a class-sorted index array,
    so drawing ``n`` indices costs O(n) numpy work and no Python loop.

    References
    ----------
    .. [1] L. Shen, Z. Lin and Q. Huang, "Relay Backpropagation for Effective
       Learning of Deep Convolutional Neural Networks", ECCV 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from skimbalance.sampling import ClassAwareSampler
    >>> labels = np.array(["cat"] * 98 + ["dog", "emu"])
    >>> sampler = ClassAwareSampler(labels, num_samples=9000, random_state=0)
    >>> len(sampler)
    9000
    >>> indices = np.fromiter(sampler, dtype=int)
    >>> freq = np.unique(labels[indices], return_counts=True)[1] / len(indices)
    >>> bool(np.allclose(freq, 1 / 3, atol=0.02))
    True
    >>> sampler.sample_indices(4).shape
    (4,)
    """

    def __init__(self, labels, *, num_samples=None, random_state=None):
        if isinstance(labels, torch.Tensor):
            labels = labels.detach().cpu().numpy()
        labels = np.asarray(labels)
        if labels.ndim != 1:
            raise ValueError(
                "labels must be a 1-D array-like of class labels; got an array "
                f"of shape {labels.shape}."
            )
        if labels.shape[0] == 0:
            raise ValueError("labels must not be empty; got 0 labels.")
        validate_parameter_constraints(
            {"num_samples": [Interval(numbers.Integral, 1, None, closed="left"), None]},
            {"num_samples": num_samples},
            caller_name=type(self).__name__,
        )
        self.num_samples = labels.shape[0] if num_samples is None else int(num_samples)
        self.random_state = random_state
        self._rng = _make_generator(random_state)

        classes, codes = _encode_labels(labels)
        counts = np.bincount(codes, minlength=len(classes))
        self.classes_ = classes
        self.class_counts_ = counts
        # Indices grouped by class (stable: ascending within a class), and the
        # start of each class's block.
        self._sorted_indices = np.argsort(codes, kind="stable")
        self._starts = np.concatenate(([0], np.cumsum(counts)[:-1]))

    def sample_indices(self, n):
        """Draw ``n`` dataset indices by class-aware sampling.

        Parameters
        ----------
        n : int
            Number of indices, >= 0.

        Returns
        -------
        indices : numpy.ndarray of shape (n,), dtype int64
        """
        validate_parameter_constraints(
            {"n": [Interval(numbers.Integral, 0, None, closed="left")]},
            {"n": n},
            caller_name="ClassAwareSampler.sample_indices",
        )
        rng = self._rng
        picked = rng.integers(len(self.class_counts_), size=int(n))
        offsets = rng.integers(self.class_counts_[picked])
        return self._sorted_indices[self._starts[picked] + offsets].astype(
            np.int64, copy=False
        )

    def __iter__(self):
        return iter(self.sample_indices(self.num_samples).tolist())

    def __len__(self):
        return self.num_samples

    def __repr__(self):
        return (
            f"{type(self).__name__}(n_classes={len(self.classes_)}, "
            f"num_samples={self.num_samples}, random_state={self.random_state!r})"
        )
