"""What a CNN estimator is fed: the checked examples of one call, served a batch
at a time.

:func:`image_dataset` validates ``X`` like scikit-learn's ``validate_data``
without copying it, finds how one example is stored, and wraps it with its
labels and weights in an :class:`ImageDataset`. The dataset gathers whole
batches (``__getitems__``), never single examples: from a NumPy array or
memory map shared with torch (or uploaded once to the GPU), or decoded from
image files, in DataLoader workers when there are any. Batches keep their
dtype; :func:`scale_images` turns them into float input on the device.
"""

import math
import warnings

import numpy as np
import torch
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import (
    _assert_all_finite,
    _check_feature_names,
    validate_data,
)
from skorch.dataset import Dataset

from ..datasets._image_array import ImageArray, channels_last_layout
from ..utils._validation import check_n_features, check_shape

#: Integer dtypes scaled to [0, 1] by their largest value (torchvision's
#: ``ToDtype(torch.float32, scale=True)``); other dtypes are used as given.
INTEGER_SCALES = {torch.uint8: 255.0, torch.uint16: 65535.0}
#: Label and weight dtypes kept as tensors beside the images (others, e.g.
#: strings, stay NumPy arrays).
_TORCH_DTYPES = {
    np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64, np.uint8,
                          np.float32, np.float64)
}  # fmt: skip
#: Fraction of free GPU memory an array may take to be uploaded whole.
_GPU_SHARE = 0.5


class ImageDataset(Dataset):
    """The examples of one call with their labels and weights, served in batches.

    A batch is ``(Xi, yi)``: ``Xi`` the images of the batch as the network
    takes them, ``(batch, *input_shape)`` in the stored dtype (uint8 images
    stay uint8), or ``{"X": images, "sample_weight": weights}`` when the
    examples are weighted (skorch's convention for weights); ``yi`` their
    labels as given to ``fit`` (a tensor for numeric labels), or None.
    ``X`` and ``y`` are the caller's data, as for skorch's ``Dataset``.

    Build one with :func:`image_dataset`; :meth:`subset` gives a view.
    """

    def __init__(self, X, source, layout, *, labels=None, targets=None, weights=None):
        self._X = X
        self.source = source
        # how a stored example becomes one input of ``input_shape``: viewed as
        # ``stored_view`` and, when ``channels_last``, transposed from (H, W, C)
        self.stored_view, self.channels_last, self.input_shape = layout
        self.labels, self.targets, self.weights = labels, targets, weights
        self.positions = None  # a view's positions into the call's examples
        self.rows = None  # example position -> row of ``source``
        self.narrow = None  # the dtype integer pixels are read as, if not stored
        self._tensors = {}

    # ----------------------------------------------------- skorch's Dataset
    @property
    def X(self):
        if self.positions is None:
            return self._X
        return _safe_indexing(self._X, self.positions)

    @property
    def y(self):
        if self.labels is None or self.positions is None:
            return self.labels
        return self.labels[self.positions]

    @property
    def view_targets(self):
        """The class positions of this view's examples."""
        if self.targets is None or self.positions is None:
            return self.targets
        return self.targets[self.positions]

    def __len__(self):
        if self.positions is not None:
            return len(self.positions)
        return len(self.rows) if self.rows is not None else len(self.source)

    def __getitem__(self, i):
        Xi, yi = self.__getitems__([i])
        one = Xi[0] if not isinstance(Xi, dict) else {k: v[0] for k, v in Xi.items()}
        return one, None if yi is None else yi[0]

    # ------------------------------------------------------------- batches
    def __getitems__(self, index):
        index = np.asarray(index, dtype=np.int64)
        positions = index if self.positions is None else self.positions[index]
        images = self._as_input(self._gather(positions))
        on = {}  # the positions as a tensor, once per device
        weights = self._take("weights", positions, on)
        labels = self._take("labels", positions, on)
        if weights is not None:
            return {"X": images, "sample_weight": weights}, labels
        return images, labels

    def _as_input(self, raw):
        x = raw.reshape(len(raw), *self.stored_view)
        return x.permute(0, 3, 1, 2) if self.channels_last else x

    def _gather(self, positions):
        rows = positions if self.rows is None else self.rows[positions]
        source = self.source
        if isinstance(source, ImageArray):
            return torch.from_numpy(source.read(rows))
        if isinstance(source, torch.Tensor):
            index = torch.from_numpy(rows).to(source.device, non_blocking=True)
            return source.index_select(0, index)
        batch = np.take(source, rows, axis=0)
        if self.narrow is not None:
            batch = batch.astype(self.narrow)
        return torch.from_numpy(batch)

    def _take(self, name, positions, on):
        """``labels`` or ``weights`` at ``positions``: from their tensor on the
        source's device, or from the array (labels torch cannot hold)."""
        values = getattr(self, name)
        if values is None:
            return None
        tensor = self._tensors.get(name)
        if tensor is None:
            return values[positions]
        if tensor.device not in on:
            on[tensor.device] = torch.from_numpy(positions).to(
                tensor.device, non_blocking=True
            )
        return tensor.index_select(0, on[tensor.device])

    def subset(self, positions):
        """A view of the examples at ``positions`` (of this dataset)."""
        view = ImageDataset.__new__(ImageDataset)
        view.__dict__.update(self.__dict__)
        positions = np.asarray(positions, dtype=np.int64)
        view.positions = (
            positions if self.positions is None else self.positions[positions]
        )
        return view

    @property
    def on_device(self):
        """The device the source was uploaded to, or None (gathered on the host)."""
        if isinstance(self.source, torch.Tensor) and self.source.device.type != "cpu":
            return self.source.device
        return None

    def place(self, device, *, workers):
        """Share (or upload) the source and per-example arrays with torch.

        On CUDA, without DataLoader workers, an array taking at most half of
        the free GPU memory is uploaded once in its own dtype; otherwise
        batches are gathered on the host (in the workers, when there are).
        """
        source = self.source
        # files, and pixels to narrow, are read batch by batch on the host
        if not isinstance(source, ImageArray) and self.narrow is None:
            tensor = _shared_tensor(source)
            if tensor is not None and device.type == "cuda" and not workers:
                free, _ = torch.cuda.mem_get_info(device)
                if source.nbytes <= _GPU_SHARE * free:
                    self.source = tensor.to(device)
            elif tensor is not None:
                self.source = tensor
        on_device = isinstance(self.source, torch.Tensor)
        target = self.source.device if on_device else torch.device("cpu")
        for name in ("labels", "weights"):  # the loss takes the weights as a tensor
            values = getattr(self, name)
            if values is not None and values.dtype in _TORCH_DTYPES:
                self._tensors[name] = _shared_tensor(values).to(target)
        return self


def image_dataset(estimator, X, *, reset, labels=None, targets=None, weights=None):
    """Validate ``X`` without copying it and wrap it in an :class:`ImageDataset`.

    ``reset=True`` (a new fit) sets ``n_features_in_`` (and
    ``feature_names_in_``) and finds ``input_shape`` from the estimator's
    parameter or the data; otherwise ``X`` must match what was fitted. An
    ImageArray over an array is unwrapped to that array and its rows; one
    over files stays lazy. A CPU tensor is shared, never copied.
    """
    rows = None
    if isinstance(X, torch.Tensor):
        if X.device.type != "cpu":
            raise ValueError(
                f"X is a tensor on {X.device}; pass it on the CPU (X.cpu()): the "
                "estimator moves each batch to its device itself."
            )
        X = X.numpy()
    if getattr(X, "ndim", 2) > 2 and len(X) == 0:  # sklearn's words for 2-D
        raise ValueError(
            f"Found array with 0 sample(s) (shape={tuple(X.shape)}) while a minimum "
            f"of 1 is required by {type(estimator).__name__}."
        )
    if isinstance(X, ImageArray):
        n_features = math.prod(X.shape[1:])
        check_n_features(estimator, n_features, reset=reset)
        _check_feature_names(estimator, X, reset=reset)
        source, channels_last, stored = X, False, X.shape[1:]
        unwrapped = X.array_rows()
        if unwrapped is not None:  # the array itself, and the rows of the view
            source, rows, channels_last = unwrapped
            stored = source.shape[1:]
    else:
        if not hasattr(X, "shape") and not hasattr(X, "iloc"):
            X = np.asarray(X)  # lists; validate_data converts other dtypes
        stored = tuple(X.shape[1:]) if getattr(X, "ndim", 2) > 2 else None
        flat = X.reshape(len(X), -1) if stored is not None else X
        flat = validate_data(
            estimator, flat, reset=reset, dtype="numeric", ensure_min_samples=1
        )
        source = flat.reshape(len(flat), *stored) if stored is not None else flat
        stored = source.shape[1:]
        n_features = flat.shape[1]
        channels_last = len(stored) == 3 and channels_last_layout(
            stored, estimator.data_format
        )
    narrow = _pixel_dtype(source, rows, validated=not isinstance(X, ImageArray))
    fitted = None if reset else estimator.input_shape_
    layout = _layout(
        stored, n_features, channels_last, estimator.input_shape,
        estimator.data_format, fitted,
    )  # fmt: skip
    dataset = ImageDataset(
        X, source, layout, labels=labels, targets=targets, weights=weights
    )
    dataset.rows, dataset.narrow = rows, narrow
    return dataset


def _pixel_dtype(source, rows, *, validated, chunk=4096):
    """Check the pixels a call reads; return the dtype integer pixels are
    read as (uint8 or uint16, scaled to [0, 1] like them), or None.

    Lazy arrays skip scikit-learn's validation, so their float pixels are
    checked for NaN and infinity here (in chunks, with its message); integer
    pixels of another dtype than uint8 / uint16 (an int64 array of 0..255)
    are read as the narrowest of the two that holds their range, and refused
    outside it: unscaled, they would train to a loss of 1e23.
    """
    if isinstance(source, ImageArray):  # files: uint8 or uint16
        return None
    dtype = source.dtype
    integer = dtype.kind in "iu" and dtype not in (np.uint8, np.uint16)
    lazy = dtype.kind == "f" and not validated
    if not (integer or lazy):
        return None
    n = len(rows) if rows is not None else len(source)
    low, high = np.inf, -np.inf
    for start in range(0, n, chunk):
        part = slice(start, start + chunk)
        values = source[rows[part]] if rows is not None else source[part]
        if lazy:
            _assert_all_finite(values, input_name="X")
        else:
            low, high = min(low, values.min()), max(high, values.max())
    if lazy:
        return None
    for narrow, top in ((np.uint8, 255), (np.uint16, 65535)):
        if low >= 0 and high <= top:
            return np.dtype(narrow)
    raise ValueError(
        f"X holds integer pixels of dtype {dtype} from {low} to {high}: integer "
        "images must be 0..255 (read like uint8) or 0..65535 (like uint16), both "
        "scaled to [0, 1]. Convert them, e.g. X.astype(np.float32) scaled as you "
        "intend."
    )


def _layout(stored, n_features, channels_last, input_shape, data_format, fitted):
    """``(stored_view, channels_last, input_shape)`` of one stored example."""
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
        return (shape[1], shape[2], shape[0]), True, shape  # flat (H, W, C)
    if len(stored) == 3 and channels_last:
        return stored, True, shape
    return shape, False, shape


def check_input_shape(input_shape):
    """``input_shape`` as a tuple of positive ints, or a ValueError naming it."""
    return check_shape(
        input_shape, "input_shape",
        expected="None or a non-empty tuple of positive ints, e.g. (1, 28, 28)",
    )  # fmt: skip


def _squeeze(shape):
    return tuple(s for s in shape if s != 1)


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


def scale_images(x):
    """Float32 input from a batch: integer images scaled to [0, 1], others as
    they are (never written in place)."""
    scale = INTEGER_SCALES.get(x.dtype)
    x = x.to(torch.float32)
    return x * (1.0 / scale) if scale is not None else x


def channel_stats(batches):
    """Per-channel mean and std (float64 NumPy) of the scaled images of
    ``batches`` (an iterable of image tensors ``(batch, C, ...)``)."""
    total = total_sq = None
    count = 0
    for images in batches:
        x = scale_images(images).double()
        x = x.transpose(0, 1).reshape(x.shape[1], -1)
        total = x.sum(1) if total is None else total + x.sum(1)
        total_sq = (x * x).sum(1) if total_sq is None else total_sq + (x * x).sum(1)
        count += x.shape[1]
    mean = total / count
    std = (total_sq / count - mean * mean).clamp_min(0).sqrt()
    return mean.cpu().numpy(), std.cpu().numpy()
