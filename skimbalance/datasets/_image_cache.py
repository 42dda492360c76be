"""The decoded-image cache: a folder's images decoded, converted and resized
once, into a uint8 (or uint16) memory map, then read at memory speed.

A cache is a folder holding two files:

- ``images.npy``: every image, ``(n, C, H, W)``, in the folder's row order, a
  NumPy file that ``np.load(..., mmap_mode="r")`` opens as it is;
- ``index.npz``: what it was built from and with: the format version, the
  settings (``image_size``, ``mode``, ``resize``), and each file's name
  (relative to the folder), size and modification time. It is written last
  and renamed into place: a cache without it is not a cache.

Opening checks the index against the folder as it is now: a file added,
removed or changed (size or modification time) rebuilds the cache, with a
warning; other settings than the cache was built with are refused, naming
both (use one cache path per setting). A build decodes in chunks on every
core, writes beside the final files and renames them (the index last), so an
exception, Ctrl-C or SIGKILL at any point leaves no cache that is trusted
later. Two processes building one cache take turns (a file lock); the second
finds the cache built. A cache that cannot be written (read-only or full
disk) gives one warning and the images are read from their files.
"""

import contextlib
import json
import os
import warnings
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

__all__ = ["CACHE_VERSION", "open_cache"]

#: Format of ``index.npz``; a cache of another version is rebuilt.
CACHE_VERSION = 1
IMAGES, INDEX, LOCK = "images.npy", "index.npz", ".lock"
_CHUNK = 256  # images decoded per task


def open_cache(cache, root, files, *, settings, build, quiet=None):
    """The cached images of ``files``, built first when needed.

    Parameters
    ----------
    cache : path-like
        The cache folder (created when missing).
    root : str
        The image folder the file names are relative to.
    files : PackedNames
        The image files' names under ``root``, in row order.
    settings : dict
        ``image_size`` (None or ``[height, width]``), ``mode`` and ``resize``
        as asked for: a cache built with others is refused.
    build : callable
        Returns the lazy :class:`ImageArray` over ``files`` to decode (only
        called when the cache is built).
    quiet : bool or None, default=None
        No progress bar (None: only on a terminal).

    Returns
    -------
    cached : tuple of (ndarray, str) or None
        The memory-mapped ``(n, C, H, W)`` images and the mode they were
        decoded in; None when the cache cannot be written (warned).
    """
    cache = Path(cache).expanduser()
    stats = _stats(root, files)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        lock = open(cache / LOCK, "a+")
    except OSError as exc:  # a read-only place: a cache built there still serves
        found = _read_index(cache)
        if found is not None and found["settings"]["asked"] == settings:
            if not _changes(found, root, files, stats):
                return _opened(cache, found)
        return _unwritable(cache, exc)
    with lock:
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_EX)  # readers too: a rebuild renames files
        found = _read_index(cache)
        if found is not None:
            if found["settings"]["asked"] != settings:
                raise ValueError(_other_settings(cache, found["settings"], settings))
            changed = _changes(found, root, files, stats)
            if not changed:
                return _opened(cache, found)
            warnings.warn(
                f"The image cache at '{cache}' is out of date ({changed}); "
                "rebuilding it.",
                stacklevel=3,
            )
        try:
            index = _build(cache, root, files, stats, settings, build(), quiet)
        except _Unwritable as exc:
            return _unwritable(cache, exc.__cause__)
        return _opened(cache, index)


class _Unwritable(Exception):
    """Writing the cache failed (its cause is the OSError); decoding errors
    are not this, and propagate."""


@contextlib.contextmanager
def _writing():
    try:
        yield
    except OSError as exc:
        raise _Unwritable() from exc


def _stats(root, files):
    sizes = np.empty(len(files), dtype=np.int64)
    mtimes = np.empty(len(files), dtype=np.int64)
    for i, name in enumerate(files):
        info = os.stat(os.path.join(root, name))
        sizes[i], mtimes[i] = info.st_size, info.st_mtime_ns
    return sizes, mtimes


def _encode_names(files):
    return np.frombuffer(files.blob, dtype=np.uint8)


def _read_index(cache):
    """The index of a complete cache of this version, or None."""
    path = cache / INDEX
    if not path.is_file() or not (cache / IMAGES).is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as index:
            found = {k: index[k] for k in index.files}
        if int(found["version"]) != CACHE_VERSION:
            return None
        found["settings"] = json.loads(str(found["settings"]))
    except (OSError, ValueError, KeyError):
        return None  # torn or foreign: rebuilt
    return found


def _changes(index, root, files, stats):
    """What changed since the cache was built, in words ("" if nothing)."""
    if not np.array_equal(_encode_names(files), index["names"]):
        return (
            f"{len(files)} files now, {len(index['sizes'])} when it was built, or "
            "files of other names"
        )
    changed = np.count_nonzero(
        (stats[0] != index["sizes"]) | (stats[1] != index["mtimes"])
    )
    return f"{changed} files changed" if changed else ""


def _other_settings(cache, built, asked):
    differ = {
        k: (built["asked"].get(k), asked.get(k))
        for k in sorted(set(built["asked"]) | set(asked))
        if built["asked"].get(k) != asked.get(k)
    }
    return (
        f"The image cache at '{cache}' was built with other settings {differ} "
        "(built, asked); use one cache path per setting, or delete it to rebuild."
    )


def _opened(cache, index):
    images = np.load(cache / IMAGES, mmap_mode="r")
    return images, index["settings"]["mode"]


def _unwritable(cache, exc):
    reason = exc.strerror or str(exc)
    warnings.warn(
        f"Cannot write the image cache at '{cache}' ({reason}); the images are "
        "read from their files instead.",
        stacklevel=3,
    )
    return None


def _build(cache, root, files, stats, settings, images, quiet):
    """Decode every image into ``images.npy`` (then ``index.npz``), both
    written beside themselves and renamed; return the index."""
    from tqdm.auto import tqdm

    for leftover in cache.glob("*.part"):  # a build killed before this one
        with contextlib.suppress(OSError):
            leftover.unlink()
    parts = [cache / f"{IMAGES}.part", cache / f"{INDEX}.part"]
    header = {
        "descr": np.lib.format.dtype_to_descr(images.dtype),
        "fortran_order": False,
        "shape": images.shape,
    }
    index = {
        "version": np.asarray(CACHE_VERSION),
        "settings": np.asarray(json.dumps({
            "asked": settings, "mode": images.mode,
            "shape": list(images.shape), "dtype": str(images.dtype),
        })),
        "names": _encode_names(files),
        "sizes": stats[0],
        "mtimes": stats[1],
    }  # fmt: skip
    bar = tqdm(total=len(images), disable=quiet, unit="image", desc="caching")
    try:
        with _writing():
            with contextlib.suppress(FileNotFoundError):  # untrusted until rebuilt
                (cache / INDEX).unlink()
            out = open(parts[0], "wb")
        with out, bar:
            with _writing():
                np.lib.format.write_array_header_2_0(out, header)
            for chunk in _decoded_chunks(images):  # decoding errors propagate
                with _writing():
                    out.write(chunk.tobytes())
                bar.update(len(chunk))
            with _writing():
                out.flush()
                os.fsync(out.fileno())
        with _writing():
            with open(parts[1], "wb") as out:
                np.savez(out, **index)
                out.flush()
                os.fsync(out.fileno())
            os.replace(parts[0], cache / IMAGES)
            os.replace(parts[1], cache / INDEX)  # the commit point
    finally:
        for part in parts:
            with contextlib.suppress(OSError):
                part.unlink()
    index["settings"] = json.loads(str(index["settings"]))
    return index


def _decoded_chunks(images):
    """The images decoded chunk by chunk, in order, on every core (Pillow and
    libjpeg-turbo release the GIL), with at most two chunks per thread held."""
    workers = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                  else os.cpu_count() or 1)  # fmt: skip
    starts = range(0, len(images), _CHUNK)
    with ThreadPoolExecutor(workers) as pool:
        pending = deque()
        for start in starts:
            rows = np.arange(start, min(start + _CHUNK, len(images)))
            pending.append(pool.submit(images.read, rows))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
