"""CIFAR-10, from a folder of JPEG files or from the official python batches.

Two sources, tried in order:

* ``<data home>/cifar10-jpg/{train,test}/<class>/*.jpg``: the images as files
  (e.g. the re-encoded copy beside this project), read lazily;
* ``<data home>/cifar10/cifar-10-python.tar.gz``, the official archive,
  downloaded from :data:`CIFAR10_URL` when missing and checked against its
  published SHA-256. Its batches are unpickled with a loader that accepts
  only NumPy arrays and plain containers, and stored once as ``.npy`` files
  that are then memory-mapped (with a manifest of their SHA-256, checked at
  every load).
"""

import contextlib
import io
import json
import os
import pickle
import tarfile
import tempfile

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

from ._download import TIMEOUT, download_file, sha256_of_file
from ._home import (
    DATA_ENV,
    data_home_origin,
    ensure_writable_dir,
    get_cache_home,
    get_data_home,
    is_writable_dir,
    removing_new_dirs_on_error,
)
from ._image_array import ImageArray
from ._image_folder import image_files

__all__ = ["CIFAR10_CLASSES", "CIFAR10_URL", "load_cifar10"]

#: The canonical archive of the python batches (Krizhevsky, 2009).
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
_ARCHIVE = "cifar-10-python.tar.gz"
_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
_TIMEOUT = TIMEOUT
#: Class names in label order (0 = airplane ... 9 = truck).
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip
_BATCHES = {
    "train": tuple(f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)),
    "test": ("cifar-10-batches-py/test_batch",),
}
_SUBSET_PARTS = {"train": ("train",), "test": ("test",), "all": ("train", "test")}
_IMAGE_SHAPE = (3, 32, 32)

_DESCR = """\
CIFAR-10
--------

60000 colour images of 32x32 pixels in 10 classes (airplane, automobile, bird,
cat, deer, dog, frog, horse, ship, truck), 50000 for training and 10000 for
testing, 6000 per class (Krizhevsky, 2009). ``data`` is a lazy uint8 array of
shape (n, 3, 32, 32).

A. Krizhevsky. "Learning Multiple Layers of Features from Tiny Images."
Technical report, University of Toronto, 2009.
"""


@validate_params(
    {
        "subset": [StrOptions(set(_SUBSET_PARTS))],
        "data_home": [str, os.PathLike, None],
        "download": ["boolean"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_cifar10(*, subset="train", data_home=None, download=True, return_X_y=False):
    """Load CIFAR-10 as a lazy ``(n, 3, 32, 32)`` uint8 image array.

    Reads ``<data home>/cifar10-jpg/`` when it exists (one folder per class
    under ``train/`` and ``test/``, JPEG files decoded on access); otherwise
    the official python batches: ``<data home>/cifar10/cifar-10-python.tar.gz``,
    downloaded from :data:`CIFAR10_URL` if missing, SHA-256 verified, and
    unpacked once into memory-mapped ``.npy`` files (in the data home when it
    is writable, else the user cache directory). ``source`` in the result
    says which was used. Labels are 0-9 in the order of
    :data:`CIFAR10_CLASSES`.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        The 50000 training images, the 10000 test images, or all 60000
        (training first).
    data_home : str or path-like, default=None
        Directory holding ``cifar10-jpg/`` or ``cifar10/``. ``None`` means
        the ``SKIMBALANCE_DATA`` environment variable, else
        ``~/skimbalance_data``.
    download : bool, default=True
        Whether to download the archive when neither source is present.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ImageArray of shape (n_samples, 3, 32, 32), dtype uint8
            The images, read on access.
        target : ndarray of shape (n_samples,), dtype int64
            Labels 0-9.
        target_names : ndarray of str of shape (10,)
            :data:`CIFAR10_CLASSES`.
        image_shape : tuple of int
            ``(3, 32, 32)``.
        source : str
            ``"cifar10-jpg"`` (the folder of files) or
            ``"cifar-10-python.tar.gz"`` (the official batches).
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    Raises
    ------
    FileNotFoundError
        If neither source is present and ``download=False``.
    OSError
        If the download fails, or an image file cannot be read.
    ValueError
        If ``subset`` is invalid, or the archive fails its checksum.

    See Also
    --------
    load_image_folder : Any folder of images per class.
    skimbalance.cnn.AllCNNClassifier : The paper's CIFAR-10 network.

    Examples
    --------
    >>> from skimbalance.datasets import load_cifar10
    >>> cifar = load_cifar10(subset="test")
    >>> cifar.data.shape, cifar.source, cifar.target_names[cifar.target[0]]
    ((10000, 3, 32, 32), 'cifar10-jpg', np.str_('airplane'))
    """
    home = get_data_home(data_home)
    parts = _SUBSET_PARTS[subset]
    folder = home / "cifar10-jpg"
    if all((folder / part).is_dir() for part in parts):
        data, target = _from_jpeg_folder(folder, parts)
        source = "cifar10-jpg"
    else:
        data, target = _from_batches(home, parts, download, data_home)
        source = _ARCHIVE
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=np.asarray(CIFAR10_CLASSES),
        image_shape=_IMAGE_SHAPE,
        source=source,
        DESCR=_DESCR,
    )


def _from_jpeg_folder(folder, parts):
    files, target = [], []
    for part in parts:
        found = sorted(
            entry.name for entry in os.scandir(folder / part) if entry.is_dir()
        )
        if found != sorted(CIFAR10_CLASSES):
            raise ValueError(
                f"'{folder / part}' must hold the 10 CIFAR-10 class folders "
                f"{list(CIFAR10_CLASSES)}; it holds {found}."
            )
        for label, name in enumerate(CIFAR10_CLASSES):
            found = image_files(folder / part / name)
            files.extend(found)
            target.extend([label] * len(found))
    data = ImageArray.from_files(files, mode="RGB", check_files=False)
    if data.shape[1:] != _IMAGE_SHAPE:
        raise ValueError(
            f"'{files[0]}' is not a 32x32 image: CIFAR-10 images are 32x32 RGB."
        )
    return data, np.asarray(target, dtype=np.int64)


# ------------------------------------------------------- the python batches
def _from_batches(home, parts, download, data_home):
    directory = home / "cifar10"
    archive = directory / _ARCHIVE
    user_cache = get_cache_home() / "cifar10"
    cached = _read_cached(directory) or _read_cached(user_cache)
    if cached is None:
        if not archive.is_file():
            _fetch_archive(home, directory, download, data_home)
        elif sha256_of_file(archive) != _SHA256:
            raise ValueError(
                f"SHA-256 mismatch for '{archive}': expected {_SHA256}. The file "
                "is corrupt or not the official archive; delete it and call "
                "load_cifar10() again to download a fresh copy."
            )
        cache = directory if is_writable_dir(directory) else user_cache
        _unpack(archive, cache)
        cached = _read_cached(cache)
    images, labels, n_train = cached
    rows = {"train": slice(0, n_train), "test": slice(n_train, None)}
    rows = rows[parts[0]] if len(parts) == 1 else slice(None)
    return ImageArray(images)[rows], labels[rows].astype(np.int64)


def _fetch_archive(home, directory, download, data_home):
    where = (
        f"Neither '{home / 'cifar10-jpg'}' (a folder of images per class) nor "
        f"'{directory / _ARCHIVE}' exists (data home from "
        f"{data_home_origin(data_home)})"
    )
    if not download:
        raise FileNotFoundError(
            f"{where} and download=False. Put one of them there, pass data_home= "
            f"or set ${DATA_ENV} to a directory holding one, or pass download=True."
        )
    with removing_new_dirs_on_error(directory):
        ensure_writable_dir(
            directory,
            hint=f"{where}; the archive must be downloaded there. Pass data_home= "
            f"or set ${DATA_ENV} to a writable directory.",
        )
        download_file(
            [CIFAR10_URL], directory, _ARCHIVE, _check_archive, what="CIFAR-10",
            timeout=_TIMEOUT,
        )  # fmt: skip


def _check_archive(path, url):
    actual = sha256_of_file(path)
    if actual != _SHA256:
        raise ValueError(
            f"SHA-256 mismatch for '{url}': expected {_SHA256}, got {actual}."
        )


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles plain containers and NumPy arrays only, never other objects."""

    _ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("_codecs", "encode"),  # bytes in protocol-2 pickles written by Python 3
    }

    def find_class(self, module, name):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(
                f"CIFAR-10 batch refers to {module}.{name}; only NumPy arrays are "
                "accepted."
            )
        return super().find_class(module, name)


def _read_batch(archive_file, member):
    try:
        raw = archive_file.extractfile(member).read()
        batch = _ArrayUnpickler(io.BytesIO(raw), encoding="bytes").load()
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[b"labels"], dtype=np.uint8)
    except (KeyError, AttributeError, TypeError, pickle.UnpicklingError) as exc:
        raise ValueError(
            f"'{member}' in the CIFAR-10 archive is not a valid batch ({exc})."
        ) from exc
    if data.shape != (len(labels), 3072) or labels.size == 0 or labels.max() > 9:
        raise ValueError(f"'{member}' in the CIFAR-10 archive is malformed.")
    return data.reshape(-1, *_IMAGE_SHAPE), labels


_CACHE_FILES = ("cifar10-images.npy", "cifar10-labels.npy")
_MANIFEST = "cifar10.json"


def _unpack(archive, cache):
    """Write the images and labels (training, then test) and a manifest of their
    SHA-256, each file atomically and the manifest last."""
    cache.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        train = [_read_batch(tar, member) for member in _BATCHES["train"]]
        test = [_read_batch(tar, member) for member in _BATCHES["test"]]
    batches = train + test
    arrays = (
        np.concatenate([images for images, _ in batches]),
        np.concatenate([labels for _, labels in batches]),
    )
    manifest = {"n_train": sum(len(labels) for _, labels in train)}
    for name, array in zip(_CACHE_FILES, arrays):
        _atomic_write(cache / name, lambda out, a=array: np.save(out, a))
        manifest[name] = sha256_of_file(cache / name)
    text = json.dumps(manifest).encode()
    _atomic_write(cache / _MANIFEST, lambda out: out.write(text))


def _read_cached(cache):
    """``(images memmap, labels, n_train)`` if the files match their manifest."""
    try:
        manifest = json.loads((cache / _MANIFEST).read_text())
        if any(manifest.get(n) != sha256_of_file(cache / n) for n in _CACHE_FILES):
            return None
        images = np.load(cache / _CACHE_FILES[0], mmap_mode="r")
        labels = np.load(cache / _CACHE_FILES[1])
        n_train = int(manifest["n_train"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if images.shape[1:] != _IMAGE_SHAPE or images.shape[0] != labels.shape[0]:
        return None
    return images, labels, n_train


def _atomic_write(path, write):
    """Call ``write(file)`` on a temporary file, then rename it to ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
