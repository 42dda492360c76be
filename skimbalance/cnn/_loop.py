"""The training loop of the CNN estimators, and the one prediction path that
``predict_proba`` and the per-epoch validation loss share.

One :class:`~skimbalance.cnn._schedule.TrainingRun` is one call of
:func:`train`: it makes exactly ``run.n_updates`` updates (the only stop),
sets each update's learning rate from the run's closed form, and records
skorch's history layout (per batch ``train_loss``, ``train_batch_size``,
``event_lr``; per epoch ``train_loss``, ``valid_loss``, ``train_batch_count``,
``dur``). Interrupts (``KeyboardInterrupt``) and errors propagate.
"""

import contextlib
import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from ..nets._adapt import first_output
from ._inputs import sequential_batches

#: Autocast dtype of each ``precision``.
PRECISIONS = {"32": None, "bf16": torch.bfloat16, "16": torch.float16}


class Diverged(FloatingPointError):
    """The training loss became NaN or infinite at ``update`` (global count)."""

    def __init__(self, update, value):
        super().__init__(f"Training loss became {value} at update {update}.")
        self.update, self.value = update, value


@dataclass(frozen=True)
class LoopOptions:
    batch_size: int
    order: str
    random_state: np.random.RandomState
    transform: object
    augment: object
    generator: object
    precision: str
    predict_batch_size: int


@dataclass(frozen=True)
class TrainingData:
    """Labels and weights on the device; positions of the training and
    held-out examples."""

    y: torch.Tensor
    weight: object
    train: np.ndarray
    valid: np.ndarray
    train_labels: np.ndarray

    @classmethod
    def on(cls, device, target, train_positions, valid_positions):
        weight = None if target.weight is None else torch.from_numpy(target.weight)
        return cls(
            torch.from_numpy(target.y).to(device),
            None if weight is None else weight.to(device),
            train_positions,
            valid_positions,
            target.y[train_positions],
        )


def batch_order(positions, batch_size, order, labels, random_state, n_updates):
    """Yield ``n_updates`` index arrays into the examples, epoch after epoch.

    An epoch is ``ceil(len(positions) / batch_size)`` batches: a permutation
    of ``positions`` ("shuffle"), or as many class-aware draws ("class_aware":
    a class uniformly, then one of its examples). The last epoch stops when
    the updates run out.
    """
    positions = np.asarray(positions, dtype=np.int64)
    n = len(positions)
    per_epoch = math.ceil(n / batch_size)
    if order == "class_aware":
        from ..sampling import ClassAwareSampler

        sampler = ClassAwareSampler(labels, num_samples=n, random_state=random_state)
    made = 0
    while made < n_updates:
        if order == "class_aware":
            epoch = positions[sampler.sample_indices(n)]
        else:
            epoch = positions[random_state.permutation(n)]
        for b in range(min(per_epoch, n_updates - made)):
            yield epoch[b * batch_size : (b + 1) * batch_size]
            made += 1


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


def autocast(device, precision):
    """``torch.autocast`` for ``precision`` ("32" is a no-op)."""
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def iterate_logits(module, feed, positions, transform, batch_size, precision):
    """Yield ``(float32 logits, positions)`` for ``positions``, in order, on the
    device, in eval mode without gradients: the one prediction path."""
    module.eval()
    for raw, pos in feed.batches(sequential_batches(positions, batch_size)):
        with torch.inference_mode(), autocast(feed.device, precision):
            out = first_output(module(transform(raw))).float()
        yield out, pos


def predict_logits(module, feed, n, transform, batch_size, precision, n_classes):
    """Logits of the ``n`` examples of ``feed`` as a float32 NumPy array."""
    logits = np.empty((n, n_classes), dtype=np.float32)
    start = 0
    for out, _ in iterate_logits(
        module, feed, np.arange(n), transform, batch_size, precision
    ):
        logits[start : start + len(out)] = out.cpu().numpy()
        start += len(out)
    return logits


def weighted_mean(losses, weight):
    return losses.mean() if weight is None else (losses * weight).mean()


def validation_loss(net, feed, positions, y, weight, transform, batch_size, precision):
    """Mean (weighted) loss of the held-out examples, as during training."""
    total, count = 0.0, 0
    for out, pos in iterate_logits(
        net.module_, feed, positions, transform, batch_size, precision
    ):
        w = None if weight is None else weight[pos]
        total += weighted_mean(net.criterion_(out, y[pos]), w).item() * len(pos)
        count += len(pos)
    net.module_.train()
    return total / count


def train(net, feed, run, data, *, options, verbose=0):
    """Make ``run.n_updates`` updates of ``net`` (a skorch ``NeuralNet``).

    Parameters
    ----------
    net : skorch.NeuralNet
        Initialised: ``module_``, ``criterion_``, ``optimizer_``, ``history``.
    feed : ArrayFeed or DecodingFeed
        Where batches come from.
    run : TrainingRun
        The updates and their learning rates.
    data : TrainingData
        Training and validation positions, labels and weights on the device.
    options : LoopOptions
        Batch size and order, random state, transform, augmentation,
        precision.
    verbose : int, default=0
        When > 0, print one line per epoch.
    """
    module, criterion, optimizer = net.module_, net.criterion_, net.optimizer_
    device = feed.device
    scaler = torch.amp.GradScaler(device.type, enabled=options.precision == "16")
    check_every = 1 if device.type == "cpu" else 50
    per_epoch = math.ceil(len(data.train) / options.batch_size)
    batches = batch_order(
        data.train, options.batch_size, options.order, data.train_labels,
        options.random_state, run.n_updates,
    )  # fmt: skip
    module.train()
    epoch = _Epoch(net, run.start)
    unchecked = []
    for k, (raw, pos) in enumerate(feed.batches(batches)):
        lr = run.lr_at(k)
        for group in optimizer.param_groups:
            group["lr"] = lr
        images = options.transform.images(raw)
        if options.augment is not None:
            images = options.augment(images, options.generator)
        x = options.transform.to_input(images)
        with autocast(device, options.precision):
            out = first_output(module(x))
        w = None if data.weight is None else data.weight[pos]
        loss = weighted_mean(criterion(out.float(), data.y[pos]), w)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        if hasattr(criterion, "set_progress"):
            criterion.set_progress(run.progress(k))
        loss = loss.detach()
        epoch.add(loss, len(pos), lr)
        unchecked.append(loss)
        last = k + 1 == run.n_updates
        if len(unchecked) == check_every or last or (k + 1) % per_epoch == 0:
            _check_finite(unchecked, run.start + k + 1 - len(unchecked))
            unchecked = []
        if (k + 1) % per_epoch == 0 or last:
            valid = None
            if len(data.valid):
                valid = validation_loss(
                    net, feed, data.valid, data.y, data.weight, options.transform,
                    options.predict_batch_size, options.precision,
                )  # fmt: skip
            epoch.close(valid, verbose)
            if not last:
                epoch = _Epoch(net, run.start + k + 1)
    for group in optimizer.param_groups:
        group["lr"] = run.lr_at(run.n_updates)  # the rate of the next update
    module.eval()


def _check_finite(losses, first_update):
    values = torch.stack(losses)
    finite = torch.isfinite(values)
    if not bool(finite.all()):
        bad = int((~finite).nonzero()[0, 0])
        raise Diverged(first_update + bad, float(values[bad]))


class _Epoch:
    """One epoch of ``net.history``: batches recorded once the epoch closes
    (one device synchronisation per epoch, not per batch)."""

    def __init__(self, net, first_update):
        self.net, self.begin = net, time.perf_counter()
        self.losses, self.sizes, self.lrs = [], [], []
        net.history.new_epoch()
        net.history.record("epoch", len(net.history))

    def add(self, loss, size, lr):
        self.losses.append(loss)
        self.sizes.append(size)
        self.lrs.append(lr)

    def close(self, valid, verbose):
        history = self.net.history
        losses = torch.stack(self.losses).float().cpu().tolist()
        for loss, size, lr in zip(losses, self.sizes, self.lrs):
            history.new_batch()
            history.record_batch("train_loss", loss)
            history.record_batch("train_batch_size", size)
            history.record_batch("event_lr", lr)
        mean = float(np.average(losses, weights=self.sizes))
        history.record("train_loss", mean)
        history.record("train_batch_count", len(losses))
        if valid is not None:
            history.record("valid_loss", valid)
        history.record("dur", time.perf_counter() - self.begin)
        if verbose:
            if len(history) == 1:
                print("epoch  train_loss  valid_loss        lr     dur")
            shown = "-" if valid is None else f"{valid:.4f}"
            print(
                f"{len(history):5d}  {mean:10.4f}  {shown:>10}  {self.lrs[-1]:8.2e}"
                f"  {history[-1, 'dur']:6.2f}"
            )
