"""Which examples go into which batch: the training budget, prediction order,
the loader that serves whole batches, and the stratified hold-out.

The paper trains every network for the same number of weight updates.
:class:`BudgetBatchSampler` is a torch batch sampler that serves exactly that
many batches (lists of positions, as torch's samplers give): each pass over it
is one epoch (a new permutation, or class-aware draws), and the last epoch is
cut short when the budget runs out.
"""

import math

import numpy as np
from torch.utils.data import DataLoader


class BudgetBatchSampler:
    """Batches of example positions for ``n_updates`` updates, epoch by epoch.

    Each iteration is one epoch of ``ceil(n / batch_size)`` batches (fewer
    when fewer updates are left): a permutation of the positions
    (``order="shuffle"``), or as many class-aware draws (a class uniformly,
    then one of its examples). ``len()`` is the number of batches of the next
    epoch, as torch's ``DataLoader`` and accelerate's shards read it.

    Parameters
    ----------
    targets : ndarray of shape (n,)
        Class positions of the examples (for class-aware draws).
    batch_size : int
        Examples per batch.
    n_updates : int
        Batches to serve in all.
    order : {"shuffle", "class_aware"}
        How an epoch is drawn.
    random_state : numpy.random.RandomState
        Source of the permutations and draws.

    Examples
    --------
    >>> import numpy as np
    >>> from skimbalance.cnn._batches import BudgetBatchSampler
    >>> sampler = BudgetBatchSampler(
    ...     np.zeros(10, int), batch_size=4, n_updates=5, order="shuffle",
    ...     random_state=np.random.RandomState(0))
    >>> [len(b) for epoch in range(3) for b in sampler], sampler.remaining
    ([4, 4, 2, 4, 4], 0)
    """

    drop_last = False

    def __init__(self, targets, *, batch_size, n_updates, order, random_state):
        self.targets = np.asarray(targets)
        self.batch_size = batch_size
        self.remaining = n_updates
        self.order, self.random_state = order, random_state
        self.per_epoch = math.ceil(len(self.targets) / batch_size)
        self._class_aware = None
        if order == "class_aware":
            from ..sampling import ClassAwareSampler

            self._class_aware = ClassAwareSampler(
                self.targets, random_state=random_state
            )

    def __len__(self):
        return min(self.per_epoch, self.remaining)

    def __iter__(self):
        n, size = len(self.targets), self.batch_size
        batches = len(self)
        if self._class_aware is not None:
            epoch = self._class_aware.sample_indices(n)
        else:
            epoch = self.random_state.permutation(n)
        for b in range(batches):
            self.remaining -= 1
            yield epoch[b * size : (b + 1) * size].tolist()


class SequentialBatchSampler:
    """Batches of ``0 .. n - 1`` in order, ``batch_size`` at a time.

    >>> from skimbalance.cnn._batches import SequentialBatchSampler
    >>> list(SequentialBatchSampler(5, batch_size=2))
    [[0, 1], [2, 3], [4]]
    """

    drop_last = False

    def __init__(self, n, *, batch_size):
        self.n, self.batch_size = n, batch_size

    def __len__(self):
        return math.ceil(self.n / self.batch_size)

    def __iter__(self):
        for start in range(0, self.n, self.batch_size):
            yield list(range(start, min(start + self.batch_size, self.n)))


class BatchLoader(DataLoader):
    """A torch ``DataLoader`` for datasets that gather whole batches.

    The estimators' default ``iterator_train`` and ``iterator_valid``. With
    worker processes or pinned memory it is torch's DataLoader; without, it
    fetches each batch of its ``batch_sampler`` and collates it as torch
    does, without the per-batch machinery around that (a profiling scope, the
    fetcher), which costs about 50 us a batch.
    """

    def __iter__(self):
        if self.num_workers or self.pin_memory or self.batch_sampler is None:
            return super().__iter__()
        return self._in_process()

    def _in_process(self):
        dataset, collate = self.dataset, self.collate_fn
        getitems = getattr(dataset, "__getitems__", None)
        for index in self.batch_sampler:
            batch = getitems(index) if getitems else [dataset[i] for i in index]
            yield collate(batch)


def stratified_holdout(targets, fraction, random_state):
    """Positions ``(train, valid)``: ``fraction`` of each class held out.

    A class keeps at least one training example, so rare classes (even a
    single example) are never taken away from training.

    >>> import numpy as np
    >>> from skimbalance.cnn._batches import stratified_holdout
    >>> train, valid = stratified_holdout(
    ...     np.array([0] * 10 + [1]), 0.2, np.random.RandomState(0))
    >>> len(train), len(valid), 10 in train
    (9, 2, True)
    """
    train, valid = [], []
    for c in np.unique(targets):
        members = random_state.permutation(np.flatnonzero(targets == c))
        n_valid = min(int(fraction * len(members)), len(members) - 1)
        valid.append(members[:n_valid])
        train.append(members[n_valid:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(valid))
