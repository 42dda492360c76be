"""The training loop of the CNN estimators: skorch's loop with the paper's budget,
made lean.

:class:`TrainingLoop` overrides only what the fixed budget and speed need;
everything else is skorch's ``NeuralNet``. The structure is skorch's
(``fit_loop`` -> epochs -> ``run_single_epoch`` -> ``train_step``, with
``on_*`` callbacks at every step), with these differences:

* the number of epochs follows the budget: a :class:`BudgetBatchSampler`
  serves exactly the call's updates, the last epoch cut short;
* batches are gathered whole by an :class:`ImageDataset` (no per-example
  ``__getitem__`` and collate); ``infer`` moves them to the device, augments
  them in training, scales integer images and normalises;
* the per-batch bookkeeping that costs time is done once per epoch: the
  train/eval mode is set once, a loss on the GPU is read back once (the
  batch's history holds the tensor until the epoch ends), and only the
  callbacks that implement a batch method are called for it;
* a ``KeyboardInterrupt`` raised by a callback (skorch's ``EarlyStopping``)
  ends the call normally; a real Ctrl-C propagates (see :mod:`._guard`).
"""

import contextlib
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

import numpy as np
import torch
from skorch.callbacks import Callback
from skorch.dataset import unpack_data
from skorch.history import History
from torch.utils.data import Subset

from ..nets._adapt import first_output
from ._augment import build_augment
from ._batches import BudgetBatchSampler, SequentialBatchSampler, stratified_holdout
from ._data import ImageDataset, channel_stats, scale_images
from ._guard import StopTraining, watch_ctrl_c
from ._schedule import Schedule

#: Autocast dtype of each ``precision``.
PRECISIONS = {"32": None, "bf16": torch.bfloat16, "16": torch.float16}
#: Callback methods called once per batch (only on callbacks that define them).
_BATCH_METHODS = ("on_batch_begin", "on_batch_end", "on_grad_computed")
#: On an accelerator, losses are checked for NaN every this many updates.
_CHECK_EVERY = 50


class Diverged(FloatingPointError):
    """The training loss became NaN or infinite at ``update`` (global count)."""

    def __init__(self, update, value):
        super().__init__(f"Training loss became {value} at update {update}.")
        self.update, self.value = update, value


@dataclass
class TrainingCall:
    """One ``fit``, ``partial_fit`` or ``fine_tune`` call while it runs.

    ``kind`` is "fit", "epoch" (one pass, ``partial_fit``) or "fine_tune";
    ``n_before`` the updates made before the call (0 for a new network);
    ``updates`` fine_tune's budget and ``lr_factor`` its rate factor.
    """

    kind: str
    n_before: int
    device: torch.device
    random_state: np.random.RandomState
    generator: torch.Generator
    updates: int = 0
    lr_factor: float = 1.0
    batches: object = None  # the BudgetBatchSampler, once planned
    augment: object = None  # the augmentation of the training batches
    first: int = 0  # updates in the history when the call's training starts
    made: int = 0  # updates made so far in this call


def autocast(device, precision):
    """``torch.autocast`` for ``precision`` ("32" is a no-op)."""
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def _whole_batch(batch):
    """The DataLoader's collate: an ImageDataset batch is already whole."""
    return batch


def _batch_len(batch):
    Xi = batch[0]
    return len(Xi["X"] if isinstance(Xi, Mapping) else Xi)


class TrainingLoop:
    """skorch's training loop with the paper's budget; mixed into CNNClassifier."""

    # ------------------------------------------------------------ one call
    def _run_call(self, dataset, call):
        """``on_train_begin``, the epochs, ``on_train_end``: one training call."""
        self._call = call
        self._listeners = self._batch_listeners()
        self.__dict__.setdefault("_cache", {})  # see _on_device
        try:
            with watch_ctrl_c() as self._ctrl_c:
                self.notify("on_train_begin", X=dataset.X, y=dataset.y)
                try:
                    self.fit_loop(dataset)
                except StopTraining:
                    pass
                self.notify("on_train_end", X=dataset.X, y=dataset.y)
        finally:
            del self._call, self._listeners, self._ctrl_c
        return self

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """Train ``X`` (an :class:`ImageDataset`) for the call's budget.

        Epoch by epoch, as skorch does, until the budget is used up or a
        callback stops the training.
        """
        call = self._call
        dataset_train, dataset_valid = self.get_split_datasets(X, y, **fit_params)
        self._before_training(dataset_train)
        n_updates, self.schedule_ = self._plan(call, len(dataset_train))
        if self.schedule_.ended():
            warnings.warn(
                f"lr_schedule={self.lr_schedule!r} ended at update "
                f"{self.schedule_.length} (its length, the max_iter budget); these "
                f"{n_updates} updates train at learning rate 0. Fit anew, or use "
                "fine_tune.",
                UserWarning,
            )
        batch_size = self.get_params_for("iterator_train").get(
            "batch_size", self.batch_size
        )
        call.batches = BudgetBatchSampler(
            dataset_train.view_targets, batch_size=batch_size, n_updates=n_updates,
            order=self.batch_sampling, random_state=call.random_state,
        )  # fmt: skip
        iterator_train = self.get_iterator(dataset_train, training=True)
        iterator_valid = None
        if dataset_valid is not None:
            iterator_valid = self.get_iterator(dataset_valid, training=False)
        on_epoch = {"dataset_train": dataset_train, "dataset_valid": dataset_valid}
        while call.batches.remaining:
            self.notify("on_epoch_begin", **on_epoch)
            self.run_single_epoch(
                iterator_train, training=True, prefix="train",
                step_fn=self.train_step, **fit_params,
            )  # fmt: skip
            self.run_single_epoch(
                iterator_valid, training=False, prefix="valid",
                step_fn=self.validation_step, **fit_params,
            )  # fmt: skip
            self.notify("on_epoch_end", **on_epoch)
        return self

    def _plan(self, call, n_train):
        """``(updates to make, Schedule)`` of the call, planned after
        ``on_train_begin`` (a callback may have loaded a checkpoint)."""
        made = call.first = self.n_iter_
        per_epoch = math.ceil(n_train / self.batch_size)
        if call.kind == "fine_tune":
            return call.updates, Schedule(
                self.lr_schedule, 0, call.updates, call.lr_factor
            )
        if call.kind == "epoch":
            passes = self.max_epochs or 1
            length = self.schedule_length or self.max_iter
            return passes * per_epoch, Schedule(self.lr_schedule, made, length)
        budget = (
            self.max_iter if self.max_epochs is None else self.max_epochs * per_epoch
        )
        # Updates up to call.n_before + budget; a checkpoint loaded at the
        # start of a new fit counts towards them.
        n_updates = max(call.n_before + budget - made, 0)
        return n_updates, Schedule(
            self.lr_schedule, made, self.schedule_length or budget
        )

    def _before_training(self, dataset_train):
        """Normalisation statistics (first fit) and the class counts of the
        losses that use them, from the training part."""
        self._call.augment = build_augment(self.augment)
        if self.normalize == "auto" and self.normalize_mean_ is None:
            # every example, in every process (not accelerate's shards)
            batches = TrainingLoop.get_iterator(self, dataset_train, training=False)
            self.normalize_mean_, self.normalize_std_ = channel_stats(
                (Xi["X"] if isinstance(Xi, Mapping) else Xi).to(self._device())
                for Xi, _ in batches
            )
        counts = np.bincount(dataset_train.view_targets, minlength=len(self.classes_))
        self.class_counts_ = counts
        criterion = self.criterion_
        if hasattr(criterion, "set_class_counts"):
            criterion.set_class_counts(np.maximum(counts, 1))
            criterion.to(self._device())

    # ------------------------------------------------------------- epochs
    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """One pass over ``iterator``: skorch's, with the bookkeeping per epoch.

        The mode is set once; a batch's loss is recorded as a float on the
        CPU, and as the tensor on an accelerator (read back once, at the end
        of the epoch, or every 50 updates to check it is finite).
        """
        if iterator is None:
            return
        self._set_training(training)
        history = self.history
        deferred = []  # (batch record, loss tensor) read back at the end
        keep_tensors = isinstance(history, History)  # not a DistributedHistory
        call = getattr(self, "_call", None)
        first_update = call.first + call.made if call is not None else 0
        count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            loss = step["loss"].detach()
            if loss.device.type == "cpu" or not keep_tensors:
                value = loss.item()
                if training and not math.isfinite(value):
                    raise Diverged(first_update + count + 1, value)
            else:
                value = loss
                deferred.append((history[-1]["batches"][-1], loss))
                if training and len(deferred) % _CHECK_EVERY == 0:
                    window = first_update + count + 2 - _CHECK_EVERY
                    _check_finite(deferred[-_CHECK_EVERY:], window)
            history.record_batch(prefix + "_loss", value)
            history.record_batch(prefix + "_batch_size", _batch_len(batch))
            self.notify("on_batch_end", batch=batch, training=training, **step)
            count += 1
        if deferred:
            if training:
                _check_finite(deferred, first_update + count + 1 - len(deferred))
            values = torch.stack([loss for _, loss in deferred]).float().tolist()
            for (record, _), value in zip(deferred, values):
                record[prefix + "_loss"] = value
        history.record(prefix + "_batch_count", count)

    def notify(self, method_name, **cb_kwargs):
        """skorch's ``notify``, calling a batch method only on the callbacks
        that define it, and telling a callback's stop from Ctrl-C."""
        getattr(self, method_name)(self, **cb_kwargs)
        listeners = getattr(self, "_listeners", None)
        if listeners is not None and method_name in listeners:
            callbacks = listeners[method_name]
        else:
            callbacks = [cb for _, cb in self.callbacks_]
        for cb in callbacks:
            try:
                getattr(cb, method_name)(self, **cb_kwargs)
            except KeyboardInterrupt:
                ctrl_c = getattr(self, "_ctrl_c", None)
                if ctrl_c is None or ctrl_c.pressed:
                    raise
                raise StopTraining(type(cb).__name__) from None

    def _batch_listeners(self):
        return {
            method: [
                cb
                for _, cb in self.callbacks_
                if getattr(type(cb), method, None) is not getattr(Callback, method)
            ]
            for method in _BATCH_METHODS
        }

    # -------------------------------------------------------------- steps
    def train_step_single(self, batch, **fit_params):
        """Forward, loss and backward of one batch (mode set once per epoch)."""
        Xi, yi = unpack_data(batch)
        criterion, call = self.criterion_, getattr(self, "_call", None)
        if call is not None and hasattr(criterion, "set_progress"):
            criterion.set_progress(self.schedule_.progress(call.made))
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        if self.grad_scaler_ is not None:
            self.grad_scaler_.scale(loss).backward()
        else:
            loss.backward()
        if call is not None:
            call.made += 1
        return {"loss": loss, "y_pred": y_pred}

    def _step_optimizer(self, step_fn):
        scaler = self.grad_scaler_
        if scaler is None:
            return super()._step_optimizer(step_fn)
        step_fn()  # the gradient scaler takes no closure
        for name in self._optimizers:
            scaler.step(getattr(self, name + "_"))
        scaler.update()

    def validation_step(self, batch, **fit_params):
        """Loss of one held-out batch, without gradients (mode set per epoch)."""
        Xi, yi = unpack_data(batch)
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=False)
        return {"loss": loss, "y_pred": y_pred}

    def infer(self, x, **fit_params):
        """Logits of a batch: moved to the device, augmented (in training),
        scaled to float, normalised, through the module under ``precision``."""
        if isinstance(x, Mapping):
            x = x["X"]
        call = getattr(self, "_call", None)
        device = call.device if call is not None else self._device()
        x = torch.as_tensor(x).to(device, non_blocking=True)
        if tuple(x.shape[1:]) != self.input_shape_:
            x = x.reshape(len(x), *self.input_shape_)
        if call is not None and call.augment is not None and self.module_.training:
            x = call.augment(x, call.generator)
        x = scale_images(x)
        mean, std = self._normalization(device)
        if mean is not None:
            shape = (1, -1) + (1,) * (x.ndim - 2)
            x = (x - mean.view(shape)) / std.view(shape)
        if device.type == "cuda" and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        with autocast(device, self.precision):
            return first_output(self.module_(x, **fit_params))

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Mean loss of a batch: the criterion on float32 logits and class
        positions, weighted by ``X["sample_weight"]`` when given."""
        target = self._positions(y_true, y_pred.device)
        losses = self.criterion_(y_pred.float(), target)
        weight = X.get("sample_weight") if isinstance(X, Mapping) else None
        if weight is None:
            return losses.mean()
        return (losses * weight.to(losses.device, non_blocking=True)).mean()

    def _positions(self, labels, device):
        """Class positions (int64 on ``device``) of a batch's labels."""
        if isinstance(labels, torch.Tensor):
            classes = self._on_device(device, self.classes_)
            labels = labels.to(device, non_blocking=True).to(classes.dtype)
            return torch.searchsorted(classes, labels)
        positions = np.searchsorted(self.classes_, np.asarray(labels))
        return torch.from_numpy(positions.astype(np.int64)).to(device)

    # -------------------------------------------------------------- data
    def get_iterator(self, dataset, training=False):
        """A DataLoader serving whole batches of an :class:`ImageDataset`:
        the call's budget in training, in order otherwise. Other datasets
        (a torch Dataset given to ``predict``) get skorch's DataLoader."""
        if not isinstance(dataset, ImageDataset):
            return super().get_iterator(dataset, training=training)
        name = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(name)
        batch_size = kwargs.pop("batch_size", self.batch_size)
        if training:
            sampler = self._call.batches
        else:
            sampler = SequentialBatchSampler(len(dataset), batch_size=batch_size)
        if self._device().type == "cuda" and dataset.on_device is None:
            kwargs.setdefault("pin_memory", True)
        return getattr(self, name)(
            dataset, batch_sampler=sampler, collate_fn=_whole_batch, **kwargs
        )

    def get_split_datasets(self, X, y=None, **fit_params):
        """Training and validation parts of ``X`` (an :class:`ImageDataset`)
        by ``train_split``: None (no validation), a fraction held out per
        class, or skorch's ``train_split(dataset, y)`` protocol."""
        split = self.train_split
        if split is None:
            return X, None
        if isinstance(split, Real):
            train, valid = stratified_holdout(
                X.view_targets, split, self._call.random_state
            )
            if len(valid) == 0:
                raise ValueError(
                    f"train_split={split} holds out no example of any class "
                    f"({len(X)} samples); use a larger fraction or None."
                )
            return X.subset(train), X.subset(valid)
        train, valid = split(X, X.y, **fit_params)
        return self._own(train, X, "training"), (
            None if valid is None else self._own(valid, X, "validation")
        )

    def _own(self, part, whole, role):
        """A part returned by ``train_split`` as an :class:`ImageDataset`."""
        if isinstance(part, ImageDataset):
            return part
        if isinstance(part, Subset) and isinstance(part.dataset, ImageDataset):
            return part.dataset.subset(np.asarray(part.indices))
        if hasattr(part, "X") and hasattr(part, "y") and part.y is not None:
            return self._image_dataset(part.X, part.y)  # predefined_split(Dataset)
        raise ValueError(
            f"train_split returned a {role} set of type {type(part).__name__}; "
            "it must return parts of the dataset it is given (e.g. "
            "torch.utils.data.Subset), or a skorch Dataset(X, y)."
        )

    def _normalization(self, device):
        """``normalize_mean_`` and ``normalize_std_`` as tensors on ``device``."""
        if self.normalize_mean_ is None:
            return None, None
        mean, std = self.normalize_mean_, self.normalize_std_
        return self._on_device(device, mean, torch.float32), self._on_device(
            device, std, torch.float32
        )

    def _on_device(self, device, array, dtype=None):
        """``array`` as a tensor on ``device``, made once per array and device
        (a new fit, load or unpickling makes new arrays, so never a stale one)."""
        cache = self.__dict__.setdefault("_cache", {})
        key = (id(array), device)
        if key not in cache or cache[key][0] is not array:
            cache[key] = (array, torch.as_tensor(array, dtype=dtype, device=device))
        return cache[key][1]

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_cache", None)  # tensors on a device; made again when needed
        return state


def _check_finite(deferred, first_update):
    values = torch.stack([loss for _, loss in deferred])
    finite = torch.isfinite(values)
    if not bool(finite.all()):
        bad = int((~finite).nonzero()[0, 0])
        raise Diverged(first_update + bad, float(values[bad]))
