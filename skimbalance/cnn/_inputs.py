"""What a CNN estimator is fed: the checked examples of one call, their layout,
and their batches on the device.

Examples are never copied or converted as a whole. A NumPy array (in memory or
memory-mapped) is shared with torch and every batch is gathered from it (on
the GPU when it fits there); a lazy :class:`~skimbalance.datasets.ImageArray`
over image files is decoded batch by batch in ``num_workers`` DataLoader
worker processes. Each raw batch keeps its dtype until :class:`InputTransform`
turns it into the network's float input on the device: reshaped or
transposed (channels-last storage) to ``input_shape_``, integer images scaled
to [0, 1], optionally normalised per channel.
"""

import math
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.utils.validation import _check_feature_names, validate_data

from ..datasets._image_array import ImageArray, _ArrayRows, channels_last_layout
from ..utils._validation import check_n_features, check_shape

#: Integer dtypes scaled to [0, 1] by their largest value (torchvision's
#: ``ToDtype(torch.float32, scale=True)``); other dtypes are used as given.
INTEGER_SCALES = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}
#: Per-channel mean and std of ImageNet, what torchvision's pretrained
#: weights expect (``normalize="imagenet"``).
IMAGENET_STATS = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
#: Fraction of free GPU memory an array may take to be uploaded whole.
_GPU_SHARE = 0.5


@dataclass(frozen=True)
class Examples:
    """The checked examples of one call and how one of them is laid out.

    ``storage`` is a NumPy array (rows ``rows`` of it, or all) or an
    ImageArray over files; ``view`` is the shape a stored example is viewed
    as, then transposed from channels-last when ``channels_last``, to give
    ``input_shape``.
    """

    storage: object
    rows: object
    n: int
    dtype: np.dtype
    view: tuple
    channels_last: bool
    input_shape: tuple

    @property
    def streamed(self):
        """True when the examples are image files, decoded as they are used."""
        return isinstance(self.storage, ImageArray)

    def max_value(self, limit=100_000):
        """Largest value of (up to ``limit`` of) the examples, for error messages."""
        if self.streamed:
            return None
        rows = np.arange(min(self.n, limit)) if self.rows is None else self.rows[:limit]
        sample = np.take(self.storage, rows, axis=0)
        return float(np.max(sample)) if sample.size else None


def check_examples(estimator, X, *, reset, input_shape=None, data_format="auto"):
    """Validate ``X`` like ``validate_data`` without copying it; find its layout.

    ``reset=True`` (fit) sets ``n_features_in_`` (and ``feature_names_in_``)
    and resolves ``input_shape`` from the parameter or the data; otherwise
    ``X`` must match what was fitted. An ImageArray over an array is
    unwrapped to that array and its rows; one over files stays lazy.
    """
    rows = None
    if isinstance(X, ImageArray):
        n_features = math.prod(X.shape[1:])
        check_n_features(estimator, n_features, reset=reset)
        _check_feature_names(estimator, X, reset=reset)
        stored, channels_last, dtype = X.shape[1:], False, X.dtype
        storage = X
        if isinstance(X._source, _ArrayRows):  # the array itself, and its rows
            storage, rows = X._source.array, X._rows
            channels_last = X._source.channels_last
            stored = storage.shape[1:]
    else:
        if not hasattr(X, "shape") and not hasattr(X, "iloc"):
            X = np.asarray(X)  # lists; validate_data converts other dtypes
        stored = tuple(X.shape[1:]) if getattr(X, "ndim", 2) > 2 else None
        flat = X.reshape(len(X), -1) if stored is not None else X
        flat = validate_data(
            estimator, flat, reset=reset, dtype="numeric", ensure_min_samples=1
        )
        storage = flat.reshape(len(flat), *stored) if stored is not None else flat
        stored = storage.shape[1:]
        n_features, dtype = flat.shape[1], storage.dtype
        channels_last = len(stored) == 3 and channels_last_layout(stored, data_format)
    fitted = None if reset else estimator.input_shape_
    shape, view, channels_last = _layout(
        stored, n_features, channels_last, input_shape, data_format, fitted
    )
    n = len(rows) if rows is not None else len(storage)
    return Examples(storage, rows, n, np.dtype(dtype), view, channels_last, shape)


def _layout(stored, n_features, channels_last, input_shape, data_format, fitted):
    """``(input_shape, view, channels_last)`` of one stored example."""
    if len(stored) == 3 and channels_last:
        images = (stored[2], stored[0], stored[1])
    elif len(stored) == 2:
        images = (1, *stored)  # (n, H, W): one channel
    else:
        images = stored
    if fitted is not None:
        shape = fitted
    elif input_shape is not None:
        shape = check_input_shape(input_shape)
    elif len(stored) > 1:
        shape = images
    else:
        side = math.isqrt(n_features)
        shape = (1, side, side) if side * side == n_features else (1, 1, n_features)
    if math.prod(shape) != n_features:
        raise ValueError(
            f"input_shape={shape} has {math.prod(shape)} values per example but X "
            f"has n_features={n_features}."
        )
    if len(stored) > 1 and _squeeze(images) != _squeeze(shape):
        raise ValueError(
            f"X has examples of shape {tuple(stored)} (read as {images}), but "
            f"the network takes input_shape={shape}."
        )
    if len(stored) == 1 and data_format == "channels_last" and len(shape) == 3:
        return shape, (shape[1], shape[2], shape[0]), True  # flattened (H, W, C)
    if len(stored) == 3 and channels_last:
        return shape, stored, True
    return shape, shape, False


def check_input_shape(input_shape):
    """``input_shape`` as a tuple of positive ints, or a ValueError naming it."""
    return check_shape(
        input_shape, "input_shape",
        expected="None or a non-empty tuple of positive ints, e.g. (1, 28, 28)",
    )  # fmt: skip


def _squeeze(shape):
    return tuple(s for s in shape if s != 1)


# ------------------------------------------------------------------ batches
class InputTransform:
    """Raw batches -> the network's float input, on the device.

    :meth:`images` views a raw batch as ``(batch, *input_shape)`` in its own
    dtype (what augmentation sees); :meth:`to_input` converts it to float32,
    scales integer images to [0, 1], normalises per channel and, on CUDA,
    uses the channels-last memory format for 4-D inputs.
    """

    def __init__(self, examples, *, mean=None, std=None, channels_last_memory=False):
        self.view, self.permute = examples.view, examples.channels_last
        self.scale = INTEGER_SCALES.get(examples.dtype)
        self.mean, self.std = mean, std
        self.channels_last_memory = channels_last_memory

    def images(self, raw):
        x = raw.reshape(len(raw), *self.view)
        return x.permute(0, 3, 1, 2) if self.permute else x

    def to_input(self, images, *, normalize=True):
        x = images.to(torch.float32)
        if self.scale is not None:
            x = x * (1.0 / self.scale)
        if normalize and self.mean is not None:
            shape = (1, -1) + (1,) * (x.ndim - 2)
            x = (x - self.mean.view(shape)) / self.std.view(shape)
        if self.channels_last_memory and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def __call__(self, raw):
        return self.to_input(self.images(raw))


def make_feed(examples, device, *, num_workers=0):
    """The batch source for ``examples``: gathered from an array, or decoded."""
    if examples.streamed:
        return DecodingFeed(examples.storage, device, num_workers)
    return ArrayFeed(examples.storage, examples.rows, device)


class ArrayFeed:
    """Batches gathered from a NumPy array shared with torch (never copied whole).

    On CUDA the array is uploaded once, in its own dtype, when it takes at
    most half the free GPU memory; otherwise each batch is gathered on the
    host and copied from pinned memory without blocking.
    """

    def __init__(self, array, rows, device):
        self.device = torch.device(device)
        self.array = array
        on_cuda = self.device.type == "cuda"
        tensor = _shared_tensor(array)
        if on_cuda and tensor is not None:
            free, _ = torch.cuda.mem_get_info(self.device)
            fits = array.nbytes <= _GPU_SHARE * free
            tensor = tensor.to(self.device) if fits else None
        self.tensor = tensor  # None: gather on the host, batch by batch
        self.rows = None if rows is None else torch.from_numpy(np.asarray(rows))
        if self.rows is not None and tensor is not None:
            self.rows = self.rows.to(tensor.device)

    def batches(self, index_batches):
        """Yield ``(raw batch, positions)`` on the device for each index array."""
        for index in index_batches:
            positions = torch.from_numpy(index)
            source = positions
            if self.rows is not None:
                source = self.rows[positions.to(self.rows.device)]
            if self.tensor is not None:
                raw = self.tensor.index_select(0, source.to(self.tensor.device))
            else:
                raw = torch.from_numpy(np.take(self.array, source.numpy(), axis=0))
                if self.device.type == "cuda":
                    raw = raw.pin_memory()
            yield (
                raw.to(self.device, non_blocking=True),
                positions.to(self.device, non_blocking=True),
            )


def _shared_tensor(array):
    """A tensor sharing ``array``'s memory (read-only arrays too), or None when
    torch cannot hold its dtype or strides."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The given NumPy array is not writable"
        )
        try:
            return torch.from_numpy(array)
        except (TypeError, ValueError, RuntimeError):
            return None


class _DecodedRows(torch.utils.data.Dataset):
    """Rows of an ImageArray decoded in a DataLoader worker, a batch at a time."""

    def __init__(self, images):
        self.images = images

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.__getitems__([i])

    def __getitems__(self, positions):
        positions = np.asarray(positions, dtype=np.int64)
        images = torch.from_numpy(self.images.read(positions))
        return images, torch.from_numpy(positions)


def _as_batch(batch):
    return batch


class _IndexBatches:
    """A one-pass iterable of index arrays, as a DataLoader batch sampler."""

    def __init__(self, index_batches):
        self.index_batches = index_batches

    def __iter__(self):
        return iter(self.index_batches)


class DecodingFeed:
    """Batches of an ImageArray over files, decoded by a torch DataLoader.

    ``num_workers`` worker processes decode batches ahead of the training
    loop (0: in the loop's own process); on CUDA they land in pinned memory
    and are copied without blocking. Batches come in the order asked for.
    """

    def __init__(self, images, device, num_workers):
        self.images, self.device = images, torch.device(device)
        self.num_workers = num_workers

    def batches(self, index_batches):
        """Yield ``(raw batch, positions)`` on the device for each index array."""
        loader = torch.utils.data.DataLoader(
            _DecodedRows(self.images),
            batch_sampler=_IndexBatches(index_batches),
            num_workers=self.num_workers,
            collate_fn=_as_batch,
            pin_memory=self.device.type == "cuda",
        )
        for raw, positions in loader:
            yield (
                raw.to(self.device, non_blocking=True),
                positions.to(self.device, non_blocking=True),
            )


def sequential_batches(positions, batch_size):
    """Index arrays of ``positions`` in order, ``batch_size`` at a time."""
    positions = np.asarray(positions, dtype=np.int64)
    for start in range(0, len(positions), batch_size):
        yield positions[start : start + batch_size]


def channel_stats(feed, positions, transform, batch_size):
    """Per-channel mean and std of the scaled examples at ``positions`` (float64)."""
    total = total_sq = None
    count = 0
    for raw, _ in feed.batches(sequential_batches(positions, batch_size)):
        x = transform.to_input(transform.images(raw), normalize=False).double()
        x = x.transpose(0, 1).reshape(x.shape[1], -1)
        total = x.sum(1) if total is None else total + x.sum(1)
        total_sq = (x * x).sum(1) if total_sq is None else total_sq + (x * x).sum(1)
        count += x.shape[1]
    mean = total / count
    std = (total_sq / count - mean * mean).clamp_min(0).sqrt()
    return mean.cpu().numpy(), std.cpu().numpy()
