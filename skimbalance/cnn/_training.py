"""The training machinery behind the CNN estimators: skorch net, batches, callbacks.

* :class:`TensorBatches` replaces skorch's default ``DataLoader``: the data is
  converted to tensors once and every batch is one ``index_select`` of them,
  instead of one ``__getitem__`` per example plus a collate. It also owns the
  weight-update budget (``max_iter``), so the last epoch stops mid-way.
* :class:`WeightedLossNet` is a thin skorch ``NeuralNet`` whose loss takes
  per-example weights (sample and class weights) and averages ``w * loss``.
* The callbacks do what varies between runs: the learning-rate schedule per
  iteration, training progress for losses that need it (LDAM-DRW), and the
  stop on a non-finite loss.
"""

import math

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, LRScheduler
from torch.optim.lr_scheduler import LambdaLR


class TrainingData(torch.utils.data.Dataset):
    """Tensors converted once: inputs, class positions and optional weights."""

    def __init__(self, X, y, weight=None):
        self.X, self.y, self.weight = X, y, weight

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):  # generic access; training uses TensorBatches
        target = self.y[i] if self.weight is None else (self.y[i], self.weight[i])
        return self.X[i], target

    def subset(self, index):
        """A new TrainingData with the rows at ``index`` (copied)."""
        index = torch.as_tensor(index, device=self.X.device)
        pick = lambda t: None if t is None else t.index_select(0, index)  # noqa: E731
        return TrainingData(pick(self.X), pick(self.y), pick(self.weight))

    def batch(self, index):
        """One batch as whole-tensor slices: ``(X, y)`` or ``(X, (y, weight))``."""
        if index is None:
            X, y, w = self.X, self.y, self.weight
        else:
            X, y = self.X.index_select(0, index), self.y.index_select(0, index)
            w = None if self.weight is None else self.weight.index_select(0, index)
        return X, (y if w is None else (y, w))


class Budget:
    """Counts weight updates against ``max_iter``; shared by iterator and callbacks."""

    def __init__(self, total, start=0):
        self.total, self.start, self.done = total, start, 0

    @property
    def left(self):
        return self.total - self.done

    @property
    def step(self):
        """Global iteration number (updates since the first fit)."""
        return self.start + self.done


class TensorBatches:
    """Iterator over batches of a :class:`TrainingData`, built once per fit.

    Training: each ``__iter__`` is an epoch of shuffled (or class-aware)
    batches, cut short when the budget runs out. Evaluation: in order.

    Parameters
    ----------
    dataset : TrainingData
    batch_size : int
    order : {"shuffle", "class_aware", "sequential"}
    random_state : numpy.random.RandomState
        Draws the permutations (or the class-aware indices).
    budget : Budget or None
        Weight updates left; ``None`` for evaluation.
    labels : ndarray or None
        Class positions, for class-aware sampling.
    """

    def __init__(
        self,
        dataset,
        batch_size,
        order="sequential",
        random_state=None,
        budget=None,
        labels=None,
    ):
        self.dataset, self.batch_size, self.order = dataset, batch_size, order
        self.random_state, self.budget = random_state, budget
        self.n = len(dataset)
        self.n_batches = math.ceil(self.n / batch_size)
        if order == "class_aware":
            from ..sampling import ClassAwareSampler

            self.sampler = ClassAwareSampler(
                labels, num_samples=self.n, random_state=random_state
            )

    def __len__(self):
        if self.budget is None:
            return self.n_batches
        return min(self.n_batches, self.budget.left)

    def _epoch_indices(self):
        if self.order == "shuffle":
            return torch.from_numpy(self.random_state.permutation(self.n))
        if self.order == "class_aware":
            return torch.from_numpy(self.sampler.sample_indices(self.n))
        return None

    def __iter__(self):
        n_batches = len(self)
        index = self._epoch_indices()
        if index is None and n_batches == 1:
            yield self.dataset.batch(None)
            return
        if index is None:
            index = torch.arange(self.n)
        device = self.dataset.X.device
        index = index.to(device)
        for b in range(n_batches):
            if self.budget is not None:
                self.budget.done += 1
            yield self.dataset.batch(
                index[b * self.batch_size : (b + 1) * self.batch_size]
            )


class WeightedLossNet(NeuralNet):
    """skorch ``NeuralNet`` whose criterion returns per-example losses.

    ``y_true`` is either class positions or ``(positions, weights)``; the
    loss is ``mean(weight * loss)`` (all weights 1 gives exactly the
    unweighted mean).
    """

    def get_loss(self, y_pred, y_true, X=None, training=False):
        weight = None
        if isinstance(y_true, (tuple, list)):
            y_true, weight = y_true
        losses = self.criterion_(y_pred, y_true)
        return losses.mean() if weight is None else (losses * weight).mean()


class LRMultiplier:
    """Learning-rate multiplier at update ``t`` for a named schedule (picklable).

    "inv" is Caffe's ``(1 + gamma t)^(-power)`` (LeNet-5), "step" multiplies by
    0.1 at 4/7, 5/7 and 6/7 of the budget (All-CNN: 40k/50k/60k of 70k),
    "linear" decays to 0 at the last update (ResNet-10), "constant" is 1.
    ``start`` continues a schedule across ``warm_start``/``partial_fit``.

    >>> LRMultiplier("inv", max_iter=10_000)(10_000)
    0.5946035575013605
    """

    def __init__(self, schedule, max_iter, start=0, gamma=1e-4, power=0.75):
        self.schedule, self.max_iter, self.start = schedule, max_iter, start
        self.gamma, self.power = gamma, power

    def __call__(self, t):
        t = self.start + t
        if self.schedule == "inv":
            return (1.0 + self.gamma * t) ** (-self.power)
        if self.schedule == "step":
            return 0.1 ** sum(t >= self.max_iter * k / 7 for k in (4, 5, 6))
        if self.schedule == "linear":
            return max(0.0, 1.0 - t / self.max_iter)
        return 1.0


def schedule_callback(schedule, max_iter, start):
    """skorch callback stepping the schedule after every weight update."""
    return LRScheduler(
        policy=LambdaLR,
        lr_lambda=LRMultiplier(schedule, max_iter, start),
        step_every="batch",
        last_epoch=-1,  # LRMultiplier already knows where the schedule starts
    )


class ReportProgress(Callback):
    """Tell the criterion how far training is (``set_progress``), per batch."""

    def __init__(self, budget, total):
        self.budget, self.total = budget, total

    def on_batch_end(self, net, training=True, **kwargs):
        if training and hasattr(net.criterion_, "set_progress"):
            net.criterion_.set_progress(min(1.0, self.budget.step / self.total))


class StopOnNonFiniteLoss(Callback):
    """Raise as soon as the training loss is NaN or infinite."""

    def __init__(self, budget, lr):
        self.budget, self.lr = budget, lr

    def on_batch_end(self, net, training=True, loss=None, **kwargs):
        if not training:
            return
        value = loss.item()
        if not math.isfinite(value):
            raise FloatingPointError(
                f"Training loss became {value} at iteration "
                f"{self.budget.step}; the model diverged. Try a lower learning "
                f"rate (lr={self.lr} now, e.g. lr={self.lr / 10:g})."
            )


def stratified_holdout(y, fraction, random_state):
    """Indices ``(train, valid)``: ``fraction`` of each class held out.

    A class keeps at least one training example, so rare classes (even a
    single example) are never taken away from training.
    """
    train, valid = [], []
    for c in np.unique(y):
        members = random_state.permutation(np.flatnonzero(y == c))
        n_valid = min(int(fraction * len(members)), len(members) - 1)
        valid.append(members[:n_valid])
        train.append(members[n_valid:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(valid))
