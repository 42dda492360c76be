"""The MNIST handwritten digits, read from the original IDX files.

The four IDX files live in ``<data home>/mnist/`` under their canonical names,
gzipped (``train-images-idx3-ubyte.gz``) or not (``train-images-idx3-ubyte``).
Missing files are downloaded from :data:`MNIST_MIRRORS`. Every load checks each
file against the SHA-256 of its decompressed bytes (0.2 s for the training
set), so what is returned is always the original data; nothing is cached.
"""

import gzip
import hashlib
import math
import os
import zlib
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

from ._download import TIMEOUT, download_file
from ._home import (
    DATA_ENV,
    data_home_origin,
    ensure_writable_dir,
    get_data_home,
    removing_new_dirs_on_error,
)

__all__ = ["load_mnist", "MNIST_MIRRORS"]

#: Base URLs tried in order when a file is missing; each must serve the
#: canonical ``<name>.gz`` files.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

_TIMEOUT = TIMEOUT  # seconds, per connection attempt and per read

# SHA-256 of the decompressed files.
_SHA256 = {
    "train-images-idx3-ubyte": (
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
    ),
    "train-labels-idx1-ubyte": (
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
    ),
    "t10k-images-idx3-ubyte": (
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    ),
    "t10k-labels-idx1-ubyte": (
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
    ),
}
# subset -> (images file, labels file, number of examples)
_SUBSETS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10000),
}
_SUBSET_PARTS = {"train": ("train",), "test": ("test",), "all": ("train", "test")}
# IDX magic numbers: 0x08 (unsigned byte) in the third byte, ndim in the fourth.
_MAGIC = {"images": 2051, "labels": 2049}
_IMAGE_SHAPE = (1, 28, 28)
_REDOWNLOAD = (
    "Delete it and call load_mnist() again with download=True to fetch a fresh copy."
)

_DESCR = """\
MNIST handwritten digits
------------------------

70000 grey-scale images of handwritten digits 0-9, 28x28 pixels, split into
60000 training and 10000 test images (LeCun et al., 1998). Pixels are scaled
from 0-255 to [0, 1] and flattened row by row into 784 features; reshape a row
to ``image_shape`` (1, 28, 28) to get the image back.

Yann LeCun and Corinna Cortes hold the copyright of MNIST, a derivative work of
the NIST data sets; it is made available under the terms of the Creative
Commons Attribution-Share Alike 3.0 license.

Y. LeCun, L. Bottou, Y. Bengio and P. Haffner. "Gradient-based learning
applied to document recognition." Proceedings of the IEEE, 86(11):2278-2324,
1998.
"""


def _corrupt(message, advice):
    """A ValueError for a damaged file, with ``advice`` on what to do."""
    return ValueError(f"{message} {advice}".rstrip())


def _decode(data, name, kind, source, advice=""):
    """Parse the IDX bytes ``data`` of file ``name`` and check its SHA-256."""
    data = memoryview(data)
    magic = _MAGIC[kind]
    ndim = magic & 0xFF
    header_size = 4 + 4 * ndim
    if len(data) >= 4 and int.from_bytes(data[:4], "big") != magic:
        raise _corrupt(
            f"'{source}' is not an MNIST {kind} file: its IDX magic number is "
            f"{int.from_bytes(data[:4], 'big')}, expected {magic}.",
            advice,
        )
    if len(data) < header_size:
        raise _corrupt(
            f"'{source}' is truncated: {len(data)} bytes, fewer than the "
            f"{header_size}-byte IDX header.",
            advice,
        )
    dims = tuple(
        int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    expected = header_size + math.prod(dims)
    if len(data) < expected:
        raise _corrupt(
            f"'{source}' is truncated: its header announces {dims[0]} items "
            f"({expected} bytes) but it holds only {len(data)} bytes.",
            advice,
        )
    if len(data) > expected:
        raise _corrupt(
            f"'{source}' has {len(data) - expected} unexpected bytes after the "
            f"{expected} announced by its header.",
            advice,
        )
    actual = hashlib.sha256(data).hexdigest()
    if actual != _SHA256[name]:
        raise _corrupt(
            f"SHA-256 mismatch for '{source}' (decompressed {name}): expected "
            f"{_SHA256[name]}, got {actual}. The file is corrupt or not the "
            "original MNIST file.",
            advice,
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(dims)


def _read(path, source, advice=""):
    """Return the bytes of ``path``, gunzipped when ``source`` ends in ``.gz``."""
    raw = Path(path).read_bytes()
    if not os.fspath(source).endswith(".gz"):
        return raw
    try:
        return gzip.decompress(raw)
    except EOFError as exc:
        raise _corrupt(
            f"'{source}' is truncated: the gzip stream ends early ({exc}).",
            advice,
        ) from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise _corrupt(
            f"'{source}' is not a valid gzip file ({exc}).",
            advice,
        ) from exc


def _find(directory, name):
    """Return the gzipped, else the uncompressed, file for ``name``, or None."""
    for candidate in (directory / f"{name}.gz", directory / name):
        if candidate.is_file():
            return candidate
    return None


def _download(name, kind, directory, mirrors):
    """Fetch ``name.gz`` into ``directory`` from the first mirror that serves it
    with the expected SHA-256; return the parsed array."""
    filename = f"{name}.gz"
    urls = [(m if m.endswith("/") else m + "/") + filename for m in mirrors]
    return download_file(
        urls,
        directory,
        filename,
        lambda path, url: _decode(_read(path, url), name, kind, url),
        what="MNIST",
        timeout=_TIMEOUT,
    )


def _download_missing(missing, kinds, directory, listed, ways):
    """Download every missing file; if any fails, one OSError names them all."""
    arrays, failures = {}, []
    for name in missing:
        try:
            arrays[name] = _download(name, kinds[name], directory, MNIST_MIRRORS)
        except OSError as exc:
            failures.append(str(exc))
    if failures:
        raise OSError(
            f"Could not download the missing MNIST file(s) {listed} into "
            f"'{directory}'. {ways} (the canonical gzipped IDX files).\n"
            + "\n".join(failures)
        )
    return arrays


@validate_params(
    {
        "subset": [StrOptions(set(_SUBSET_PARTS))],
        "data_home": [str, os.PathLike, None],
        "download": ["boolean"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_mnist(*, subset="train", data_home=None, download=True, return_X_y=False):
    """Load the MNIST handwritten digits as float32 features in [0, 1].

    The original IDX files are read from ``<data home>/mnist/`` (gzipped or
    not, under their canonical names), downloaded there if missing, and
    checked against their published SHA-256 at every load.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        Which split to load: the 60000 training images, the 10000 test
        images, or all 70000 (training first, then test).
    data_home : str or path-like, default=None
        Directory whose ``mnist/`` subdirectory holds the files. ``None``
        means the ``SKIMBALANCE_DATA`` environment variable, else
        ``~/skimbalance_data``.
    download : bool, default=True
        Whether to download missing files from :data:`MNIST_MIRRORS`. With
        ``False``, a missing file raises :class:`FileNotFoundError`.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ndarray of shape (n_samples, 784), dtype float32
            Pixel intensities in [0, 1], each image flattened row by row.
        target : ndarray of shape (n_samples,), dtype int64
            Digit labels 0-9.
        image_shape : tuple of int
            ``(1, 28, 28)``: channels, height, width of one image.
        target_names : ndarray of shape (10,)
            The class labels, ``0`` to ``9``.
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    Raises
    ------
    FileNotFoundError
        If a file is missing and ``download=False``.
    PermissionError
        If a file must be downloaded but the data directory is not writable.
    OSError
        If a download fails on every mirror.
    ValueError
        If ``subset`` is invalid, or a local file is truncated, malformed or
        fails its checksum.

    See Also
    --------
    load_digit_images : The 8x8 digits bundled with scikit-learn.

    References
    ----------
    .. [1] Y. LeCun, L. Bottou, Y. Bengio and P. Haffner. "Gradient-based
       learning applied to document recognition." Proceedings of the IEEE,
       86(11):2278-2324, 1998.

    Examples
    --------
    >>> from skimbalance.datasets import load_mnist
    >>> X, y = load_mnist(return_X_y=True)
    >>> X.shape, X.dtype, y.dtype
    ((60000, 784), dtype('float32'), dtype('int64'))
    >>> mnist = load_mnist(subset="test")
    >>> mnist.data.shape, mnist.image_shape
    ((10000, 784), (1, 28, 28))
    """
    origin = data_home_origin(data_home)
    directory = get_data_home(data_home) / "mnist"
    names = [
        (name, kind)
        for part in _SUBSET_PARTS[subset]
        for name, kind in zip(_SUBSETS[part][:2], ("images", "labels"))
    ]
    sources = {name: _find(directory, name) for name, _ in names}
    missing = [name for name, _ in names if sources[name] is None]
    ways = (
        f"Copy the files there, pass data_home= or set ${DATA_ENV} to a directory "
        "whose mnist/ subdirectory holds them"
    )
    arrays = {}
    if missing:
        listed = ", ".join(f"'{name}.gz'" for name in missing)
        where = f"in '{directory}' (data home from {origin})"
        if not download:
            raise FileNotFoundError(
                f"MNIST file(s) {listed} not found (gzipped or not) {where} and "
                f"download=False. {ways}, or pass download=True to fetch them."
            )
        with removing_new_dirs_on_error(directory):
            ensure_writable_dir(
                directory,
                hint=f"MNIST file(s) {listed} must be downloaded there (data home "
                f"from {origin}). Pass data_home= or set ${DATA_ENV} to a writable "
                "directory, or copy the files there yourself.",
            )
            arrays = _download_missing(missing, dict(names), directory, listed, ways)
    for name, kind in names:
        if name not in arrays:
            path = sources[name]
            arrays[name] = _decode(
                _read(path, path, _REDOWNLOAD), name, kind, path, _REDOWNLOAD
            )
    images = np.concatenate([arrays[n] for n, kind in names if kind == "images"])
    labels = np.concatenate([arrays[n] for n, kind in names if kind == "labels"])
    X = np.divide(images.reshape(len(images), -1), np.float32(255), dtype=np.float32)
    y = labels.astype(np.int64)
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        image_shape=_IMAGE_SHAPE,
        target_names=np.arange(10),
        DESCR=_DESCR,
    )
