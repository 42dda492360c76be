"""Image files as the rows of a lazy array: their names, packed, and their
decoding.

A million file names as Python strings cost about 90 bytes each; packed here
into one buffer (NUL-separated, UTF-8, names that are not UTF-8 kept as their
bytes) with an offset each, they cost their length plus 8 bytes. NUL is the
one byte no file name holds (a newline can), so the packing is exact, and it
pickles as the compressed buffer.
"""

import os
import zlib

import numpy as np

from ._decode import decode_image

__all__ = ["FileNames", "PackedNames"]

#: Pillow mode -> (channels, dtype) of the decoded array.
IMAGE_MODES = {
    "L": (1, np.uint8),
    "RGB": (3, np.uint8),
    "RGBA": (4, np.uint8),
    "I;16": (1, np.uint16),
}


def _encode(name):
    return os.fsdecode(name).encode("utf-8", "surrogateescape")


class PackedNames:
    """File names (relative to a root) in one bytes buffer.

    Parameters
    ----------
    names : iterable of str
        The names, in row order; none empty.

    Examples
    --------
    >>> names = PackedNames(["a/1.png", "b/new\\nline.png"])
    >>> len(names), names[1] == "b/new\\nline.png", names.subset([1, 1])[0]
    (2, True, 'b/new\\nline.png')
    """

    def __init__(self, names=()):
        blob = bytearray()
        for name in names:  # one buffer grown in place, no list of the names
            blob += _encode(name)
            blob += b"\0"
        del blob[-1:]
        self._set(bytes(blob))

    def _set(self, blob):
        """``starts[i]`` is where name ``i`` begins; one more entry closes the
        last (8 bytes a name beside its characters)."""
        self.blob = blob
        if not blob:
            self.starts = np.zeros(1, dtype=np.int64)
            return
        nul = np.flatnonzero(np.frombuffer(blob, dtype=np.uint8) == 0)
        self.starts = np.empty(len(nul) + 2, dtype=np.int64)
        self.starts[0], self.starts[-1] = 0, len(blob) + 1
        self.starts[1:-1] = nul + 1

    def __len__(self):
        return len(self.starts) - 1

    def __getitem__(self, i):
        if not -len(self) <= i < len(self):
            raise IndexError(f"index {i} is out of range for {len(self)} names.")
        i %= len(self)
        part = self.blob[self.starts[i] : self.starts[i + 1] - 1]
        return part.decode("utf-8", "surrogateescape")

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def subset(self, rows):
        """The names at ``rows``, packed."""
        packed = PackedNames.__new__(PackedNames)
        starts, blob = self.starts, self.blob
        packed._set(
            b"\0".join(blob[starts[r] : starts[r + 1] - 1] for r in np.asarray(rows))
        )
        return packed

    def __getstate__(self):
        return {"blob": zlib.compress(self.blob)}

    def __setstate__(self, state):
        self._set(zlib.decompress(state["blob"]))


class FileNames:
    """The file behind each row of a lazy array: a read-only sequence of str
    (``np.asarray`` gives the ndarray), built only when read.

    Examples
    --------
    >>> files = FileNames("/data", PackedNames(["a/1.png", "b/2.png"]))
    >>> len(files), files[1], list(files[::-1]) == ["/data/b/2.png", "/data/a/1.png"]
    (2, '/data/b/2.png', True)
    """

    def __init__(self, root, names, rows=None):
        self.root, self.names, self.rows = root, names, rows

    def __len__(self):
        return len(self.names) if self.rows is None else len(self.rows)

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            n = len(self)
            if not -n <= key < n:
                raise IndexError(f"index {key} is out of range for {n} files.")
            row = int(key) % n
            row = row if self.rows is None else int(self.rows[row])
            return os.path.join(self.root, self.names[row])
        positions = np.arange(len(self))[key]
        rows = positions if self.rows is None else self.rows[positions]
        return FileNames(self.root, self.names, rows)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __array__(self, dtype=None, copy=None):
        return np.array(list(self), dtype=dtype)

    def tolist(self):
        """The paths as a list of str (as ``ndarray.tolist``)."""
        return list(self)

    def __eq__(self, other):
        return list(self) == list(other)

    def __repr__(self):
        return f"FileNames({len(self)} files under '{self.root}')"


class FileRows:
    """Image files under ``root``, decoded to ``(C, H, W)`` when read."""

    def __init__(self, root, names, *, mode, shape, resize=None):
        self.root = str(root)
        self.names = names if isinstance(names, PackedNames) else PackedNames(names)
        self.mode, self.resize = mode, resize
        channels, self.dtype = IMAGE_MODES[mode]
        self.dtype = np.dtype(self.dtype)
        self.sample_shape = (channels, *shape)

    def __len__(self):
        return len(self.names)

    def path(self, row):
        return os.path.join(self.root, self.names[row])

    def name(self, row):
        return f"'{self.path(row)}'"

    def describe(self):
        return f"files under '{self.root}'"

    def by_value(self):
        """File names are pickled: a view sends only its own."""
        return True

    def subset(self, rows):
        subset = FileRows.__new__(FileRows)
        subset.__dict__.update(self.__dict__, names=self.names.subset(rows))
        return subset

    def read(self, rows):
        out = np.empty((len(rows), *self.sample_shape), dtype=self.dtype)
        for k, row in enumerate(rows):
            out[k] = self.decode(int(row))
        return out

    def decode(self, row):
        """One image as a ``(C, H, W)`` array; errors name the file."""
        return decode_image(
            self.path(row), mode=self.mode, size=self.sample_shape[1:],
            resize=self.resize,
        )  # fmt: skip

    def filenames(self, rows):
        return FileNames(self.root, self.names, rows)
