"""``ImageArray``: a lazy ``(n, C, H, W)`` image array over files or an array on disk.

An :class:`ImageArray` is a *source* of rows (image files decoded with Pillow,
or a NumPy array / memory map) plus the rows of that source it holds. Indexing
with a slice, an integer array or a boolean mask makes a new view (another row
list over the same source), so splitting, cross-validation and resampling cost
an index array, whatever the size of the images. ``np.asarray`` decodes.
Pickling sends the source by reference (file names, or the memory-mapped
file's name), never pixels.
"""

import mmap
import numbers
import os

import numpy as np

from ..utils._validation import check_shape
from ._decode import GREY_16_MODES, RESIZE_POLICIES, read_header
from ._image_files import IMAGE_MODES, FileRows, PackedNames

__all__ = ["ImageArray"]

_CHANNEL_COUNTS = (1, 3, 4)
#: Pillow modes of grey-scale files: ``mode="auto"`` reads them as "L".
_GREY_MODES = frozenset({"1", "L", "LA", "La", "P;L"})


def check_image_size(image_size):
    """``(height, width)`` from an int, a pair of ints or None."""
    if image_size is None:
        return None
    if isinstance(image_size, numbers.Integral) and image_size >= 1:
        return check_shape((image_size, image_size), "image_size")
    return check_shape(
        image_size, "image_size", length=2,
        expected="None, a positive int or a (height, width) pair of positive ints",
    )  # fmt: skip


def check_mode(mode, auto=False):
    """Validate a Pillow mode name; return ``(channels, dtype)`` (None for
    ``"auto"``, accepted when ``auto``)."""
    if auto and mode == "auto":
        return None
    if not isinstance(mode, str) or mode not in IMAGE_MODES:
        accepted = sorted(IMAGE_MODES) + (["auto"] if auto else [])
        raise ValueError(f"mode must be one of {accepted}; got mode={mode!r}.")
    return IMAGE_MODES[mode]


def check_resize(resize):
    """Validate a resize policy (one of :data:`RESIZE_POLICIES`)."""
    if not isinstance(resize, str) or resize not in RESIZE_POLICIES:
        raise ValueError(
            f"resize must be one of {list(RESIZE_POLICIES)}; got resize={resize!r}."
        )
    return resize


def auto_mode(modes):
    """The mode that keeps what files of Pillow ``modes`` hold: "L" when all
    are 8-bit grey-scale, "I;16" when all are 16-bit grey-scale, else "RGB".

    >>> auto_mode(["L", "1"]), auto_mode(["I;16"]), auto_mode(["L", "RGB"])
    ('L', 'I;16', 'RGB')
    """
    modes = set(modes)
    if modes <= _GREY_MODES:
        return "L"
    if modes <= GREY_16_MODES:
        return "I;16"
    return "L" if modes <= _GREY_MODES | GREY_16_MODES else "RGB"


def channels_last_layout(shape, data_format, name="X"):
    """Whether an example of ``shape`` (3 dims) is stored channels-last.

    ``data_format`` is ``"auto"``, ``"channels_first"`` or ``"channels_last"``.
    ``"auto"`` reads ``(C, H, W)`` when only the first size is a channel count
    (1, 3 or 4) and ``(H, W, C)`` when only the last is. When both are, the
    reading that makes the images square wins (``(3, 4, 4)`` is channels
    first); otherwise it refuses to guess.
    """
    if data_format == "channels_first":
        return False
    if data_format == "channels_last":
        return True
    first, last = shape[0] in _CHANNEL_COUNTS, shape[-1] in _CHANNEL_COUNTS
    if first and last:
        square_first, square_last = shape[1] == shape[2], shape[0] == shape[1]
        if square_first != square_last:
            return square_last
        raise ValueError(
            f"{name} has examples of shape {tuple(shape)}: both (C, H, W) and "
            "(H, W, C) are possible. Pass data_format='channels_first' or "
            "data_format='channels_last'."
        )
    return last


def _row_dtype(n_rows):
    """The narrowest of int32 / int64 that indexes ``n_rows`` rows."""
    return np.int32 if n_rows < 2**31 else np.int64


class _ArrayRows:
    """The rows of a NumPy array or memory map, channels first or last."""

    def __init__(self, array, channels_last):
        self.array, self.channels_last = array, channels_last
        shape = array.shape[1:]
        self.sample_shape = (shape[2], shape[0], shape[1]) if channels_last else shape
        self.dtype = array.dtype

    def __len__(self):
        return len(self.array)

    def read(self, rows):
        batch = np.take(self.array, rows, axis=0)
        return batch.transpose(0, 3, 1, 2) if self.channels_last else batch

    def name(self, row):
        return f"row {row}"

    def describe(self):
        filename = _memmap_filename(self.array)
        return f"memmap '{filename}'" if filename else "array"

    def by_value(self):
        """Whether pickling copies the rows (an in-memory array), not a file name."""
        return _memmap_filename(self.array) is None

    def subset(self, rows):
        return _ArrayRows(np.take(self.array, rows, axis=0), self.channels_last)

    def __reduce__(self):
        filename = _memmap_filename(self.array)
        if filename is None:
            return (_ArrayRows, (self.array, self.channels_last))
        array = self.array
        fortran = array.flags.f_contiguous and not array.flags.c_contiguous
        order = "F" if fortran else "C"
        spec = (filename, array.dtype.str, array.shape, array.offset, order)
        return (_reopen_memmap, (spec, self.channels_last))


def _memmap_filename(array):
    """The file of a whole memory map (not a view of one), else None."""
    if isinstance(array, np.memmap) and isinstance(array.base, mmap.mmap):
        return array.filename
    return None


def _reopen_memmap(spec, channels_last):
    filename, dtype, shape, offset, order = spec
    array = np.memmap(
        filename, dtype=dtype, mode="r", shape=shape, offset=offset, order=order
    )
    return _ArrayRows(array, channels_last)


class ImageArray:
    """A lazy image array of shape ``(n, C, H, W)``: decoded or read on access.

    It behaves as an array wherever scikit-learn and imbalanced-learn index
    data (``len``, ``shape``, ``dtype``, ``ndim``, ``X[i]``, ``X[slice]``,
    ``X[int array]``, ``X[bool mask]``), but holds only row numbers:
    slicing, masks and integer arrays give another lazy view of the same
    source, so ``train_test_split``, cross-validation, grid searches and the
    :mod:`skimbalance.sampling` samplers cost an index array. An integer
    ``X[i]`` returns that image as a NumPy array, and ``np.asarray(X)``
    reads every row. Pickling keeps the source by reference (file names, or
    the name of a memory-mapped file), so joblib and Dask workers reopen the
    files and no pixels travel.

    Build one from image files with :meth:`from_files` or
    :func:`~skimbalance.datasets.load_image_folder`, or wrap an array:

    Parameters
    ----------
    array : ndarray or numpy.memmap of shape (n, C, H, W) or (n, H, W, C)
        Images, e.g. ``np.load("images.npy", mmap_mode="r")``. Never copied
        or written; a whole memory map pickles as its file name.
    data_format : {"auto", "channels_first", "channels_last"}, default="auto"
        How ``array`` stores an image. ``"auto"`` reads ``(n, H, W, C)`` when
        only the last size is 1, 3 or 4, else ``(n, C, H, W)``; when both the
        second and the last could be channels, the square reading wins, and
        with none it refuses to guess.

    Attributes
    ----------
    shape : tuple of int
        ``(n, C, H, W)``, channels first whatever the storage.
    dtype : numpy.dtype
        ``uint8`` for 8-bit images (``uint16`` for 16-bit grey-scale files).
    indices : ndarray of shape (n,)
        Row of the source each row of this view reads.
    filenames : ndarray of str of shape (n,) or None
        The file behind each row, for arrays over files.

    See Also
    --------
    load_image_folder : One subfolder of image files per class.
    load_cifar10 : CIFAR-10, as such an array.

    Examples
    --------
    >>> import numpy as np
    >>> from skimbalance.datasets import ImageArray
    >>> images = np.arange(4 * 8 * 8 * 3, dtype=np.uint8).reshape(4, 8, 8, 3)
    >>> X = ImageArray(images)              # channels-last storage, seen as NCHW
    >>> X.shape, X.dtype
    ((4, 3, 8, 8), dtype('uint8'))
    >>> view = X[[3, 3, 0]]                 # lazy: an index array, no pixels
    >>> view.indices.tolist(), np.asarray(view).shape
    ([3, 3, 0], (3, 3, 8, 8))
    >>> bool((X[1] == images[1].transpose(2, 0, 1)).all())
    True
    """

    def __init__(self, array, *, data_format="auto"):
        if data_format not in ("auto", "channels_first", "channels_last"):
            raise ValueError(
                "data_format must be 'auto', 'channels_first' or 'channels_last'; "
                f"got data_format={data_format!r}."
            )
        if isinstance(array, ImageArray):
            self._source, self._rows = array._source, array._rows
            return
        if not isinstance(array, np.ndarray):
            raise TypeError(
                "ImageArray wraps a NumPy array or memory map (or use "
                "ImageArray.from_files for image files); got "
                f"{type(array).__name__}."
            )
        if array.ndim != 4:
            raise ValueError(
                "ImageArray needs an array of shape (n, C, H, W) or (n, H, W, C); "
                f"got shape {array.shape}."
            )
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise ValueError(f"ImageArray needs numeric images; got {array.dtype}.")
        channels_last = channels_last_layout(array.shape[1:], data_format, "array")
        self._source = _ArrayRows(array, channels_last)
        self._rows = None

    @classmethod
    def from_files(
        cls, paths, *, image_size=None, mode="RGB", resize="squash", check_files=True
    ):
        """A lazy array over image files, one image per row.

        Parameters
        ----------
        paths : sequence of str or path-like
            The image files (any format Pillow reads), in row order.
        image_size : int, (height, width) or None, default=None
            Resize every image to this size (bilinear, antialiased). ``None``
            keeps their size, which must then be the same for all.
        mode : {"RGB", "L", "RGBA", "I;16", "auto"}, default="RGB"
            Pillow mode each image is converted to: 3, 1, 4 channels of uint8,
            or 1 channel of uint16 (16-bit grey-scale, e.g. medical PNG/TIFF).
            ``"auto"`` keeps what the files hold (:func:`auto_mode` of their
            modes: "L" when every header read is grey-scale, else "RGB").
        resize : {"squash", "pad", "crop"}, default="squash"
            How ``image_size`` is reached by an image of another aspect ratio:
            stretched to it, scaled to fit inside and padded with black at
            both sides (letterbox), or scaled to cover it and cut at the
            centre.
        check_files : bool, default=True
            Read every file's header now (not its pixels), so that a file that
            is not an image, or mixed sizes without ``image_size``, fail here
            and not during training. With False only the first file is read
            (and decides ``mode="auto"``).

        Returns
        -------
        images : ImageArray
            Nothing is decoded until rows are read.

        Examples
        --------
        >>> import tempfile, pathlib, numpy as np
        >>> from PIL import Image
        >>> from skimbalance.datasets import ImageArray
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> for i in range(3):
        ...     Image.new("RGB", (6, 4), (i, 0, 0)).save(folder / f"{i}.png")
        >>> X = ImageArray.from_files(sorted(folder.glob("*.png")))
        >>> X.shape, int(X[2][0, 0, 0])
        ((3, 3, 4, 6), 2)
        """
        paths = [os.path.abspath(p) for p in paths]
        if not paths:
            raise ValueError("paths must name at least one image file; got none.")
        root = os.path.commonpath(list({os.path.dirname(p) for p in paths}))
        names = PackedNames(os.path.relpath(p, root) for p in paths)
        return cls._from_names(
            root, names, image_size=image_size, mode=mode, resize=resize,
            check_files=check_files,
        )  # fmt: skip

    @classmethod
    def _from_names(cls, root, names, *, image_size, mode, resize, check_files):
        """A lazy array over the files ``names`` (a :class:`PackedNames`)
        under ``root``, their headers read as :meth:`from_files` says."""
        size = check_image_size(image_size)
        check_mode(mode, auto=True)
        check_resize(resize)
        first = None
        modes, mixed = set(), []
        for i in range(len(names) if check_files else 1):
            path = os.path.join(root, names[i])
            height, width, file_mode = read_header(path)
            modes.add(file_mode)
            if first is None:
                first = (path, (height, width))
            elif (height, width) != first[1] and size is None:
                mixed.append((path, (height, width)))
        if mode == "auto":
            mode = auto_mode(modes)
        if mixed:
            (path0, size0), (path1, size1) = first, mixed[0]
            raise ValueError(
                f"Images differ in size: '{path0}' is {size0[0]}x{size0[1]} but "
                f"'{path1}' is {size1[0]}x{size1[1]} (height x width), and "
                f"{len(mixed) - 1} more differ. Pass image_size=(height, width) to "
                "resize them all."
            )
        source = FileRows(
            root, names, mode=mode, shape=size or first[1],
            resize=resize if size else None,
        )  # fmt: skip
        return cls._view(source, None)

    @classmethod
    def _view(cls, source, rows):
        view = cls.__new__(cls)
        view._source, view._rows = source, rows
        return view

    # ----------------------------------------------------------- array API
    @property
    def shape(self):
        return (len(self), *self._source.sample_shape)

    @property
    def dtype(self):
        return self._source.dtype

    @property
    def mode(self):
        """The Pillow mode the files are decoded to (None over an array)."""
        return getattr(self._source, "mode", None)

    @property
    def ndim(self):
        return 4

    @property
    def size(self):
        return int(np.prod(self.shape))

    @property
    def nbytes(self):
        """Bytes the decoded array takes (what ``np.asarray`` allocates)."""
        return self.size * self.dtype.itemsize

    @property
    def indices(self):
        if self._rows is None:
            return np.arange(len(self._source))
        return self._rows.astype(np.intp, copy=False)

    @property
    def filenames(self):
        """The file behind each row (a sequence of str, ``np.asarray`` for an
        ndarray), or None over an array."""
        if not isinstance(self._source, FileRows):
            return None
        return self._source.filenames(self._rows)

    @property
    def base(self):
        """The whole source as an ImageArray (this view's rows index it)."""
        return self._view(self._source, None)

    def __len__(self):
        return len(self._source) if self._rows is None else len(self._rows)

    def __getitem__(self, key):
        rest = ()
        if isinstance(key, tuple):
            key, rest = (key[0] if key else slice(None)), key[1:]
            if all(k is Ellipsis for k in rest):
                rest = ()
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            image = self._source.read([self._row(int(key))])[0]
            return image[rest] if rest else image
        view = self._view(self._source, self._select(key))
        return np.asarray(view)[(slice(None), *rest)] if rest else view

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError(
                "An ImageArray cannot be converted to a NumPy array without a copy."
            )
        data = self._source.read(self.indices)
        return data if dtype is None else data.astype(dtype, copy=False)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def copy(self):
        """Another lazy array over the same images (what ``ndarray.copy`` code
        expects: the source is never written, so a new view is a copy).

        Returns
        -------
        images : ImageArray
        """
        rows = None if self._rows is None else self._rows.copy()
        return self._view(self._source, rows)

    def read(self, positions):
        """Decode the rows at ``positions`` (of this view) into one array.

        Parameters
        ----------
        positions : array-like of int
            Rows of this array, in the order wanted.

        Returns
        -------
        images : ndarray of shape (len(positions), C, H, W)
        """
        rows = np.asarray(positions, dtype=np.intp)
        if self._rows is not None:
            rows = self._rows[rows]
        return self._source.read(rows)

    def array_rows(self):
        """The wrapped array and the rows this view reads, or None over files.

        Returns
        -------
        unwrapped : tuple or None
            ``(array, rows, channels_last)``: the NumPy array or memory map as
            stored, the rows of it this view reads (None: all, in order), and
            whether it stores images channels-last. None for image files.
        """
        if not isinstance(self._source, _ArrayRows):
            return None
        return self._source.array, self._rows, self._source.channels_last

    def describe_row(self, i):
        """Where row ``i`` comes from, for messages.

        Parameters
        ----------
        i : int
            A row of this array.

        Returns
        -------
        where : str
            The quoted file path, or ``"row <k>"`` of the wrapped array.
        """
        return self._source.name(self._row(i))

    def __repr__(self):
        return (
            f"ImageArray(shape={self.shape}, dtype={self.dtype}, "
            f"{self._source.describe()})"
        )

    def __reduce__(self):
        source, rows = self._source, self._rows
        if rows is not None and source.by_value():
            used, rows = np.unique(rows, return_inverse=True)
            if len(used) < len(source):  # send only the rows this view reads
                source = source.subset(used)
        if rows is not None:
            rows = rows.astype(_row_dtype(len(source)), copy=False)
        return (ImageArray._view, (source, rows))

    # ------------------------------------------------------------ internals
    def _row(self, i):
        n = len(self)
        if not -n <= i < n:
            raise IndexError(
                f"index {i} is out of range for an ImageArray of {n} images."
            )
        i %= n
        return i if self._rows is None else int(self._rows[i])

    def _select(self, key):
        """Source rows of ``self[key]`` for a slice, an int array or a mask."""
        n = len(self)
        if isinstance(key, slice):
            positions = np.arange(n)[key]
        else:
            positions = np.asarray(key)
            if positions.dtype == bool:
                if positions.shape != (n,):
                    raise IndexError(
                        f"boolean index of shape {positions.shape} does not match "
                        f"an ImageArray of {n} images."
                    )
                positions = np.flatnonzero(positions)
            elif positions.size == 0:
                positions = positions.astype(np.intp)
            elif not np.issubdtype(positions.dtype, np.integer):
                raise IndexError(
                    "ImageArray rows are indexed by int, slice, int array or bool "
                    f"mask; got {type(key).__name__} of dtype {positions.dtype}."
                )
            if positions.ndim != 1:
                raise IndexError(
                    f"index arrays must be 1-D; got shape {positions.shape}."
                )
            low, high = (positions.min(), positions.max()) if positions.size else (0, 0)
            if low < -n or high >= n:
                bad = positions[(positions < -n) | (positions >= n)][0]
                raise IndexError(
                    f"index {int(bad)} is out of range for an ImageArray of {n} images."
                )
            if low < 0:
                positions = positions % n
        if self._rows is not None:
            return self._rows[positions]
        # the view keeps its own rows (the caller's array may change), and
        # keeps them in 4 bytes where the source allows: a million-row view
        # over a memory map costs half as much
        return positions.astype(_row_dtype(len(self._source)), copy=True)
