"""Where skimbalance keeps downloaded data sets and the caches built from them.

Two directories matter:

* the **data home** holds the original files (``<data home>/mnist/...``): the
  ``data_home`` argument, else the ``SKIMBALANCE_DATA`` environment variable,
  else ``~/skimbalance_data``;
* the **cache home** holds arrays unpacked from an archive (CIFAR-10's python
  batches) when the data home cannot be written to: ``SKIMBALANCE_CACHE``, else
  ``$XDG_CACHE_HOME/skimbalance``, else ``~/.cache/skimbalance``.

A directory counts as writable only when the process may write to it *and* at
least one of its write permission bits is set. The second condition matters
when running as root, which may write anywhere: a directory shared read-only
by ``chmod a-w`` is then still left alone.
"""

import contextlib
import os
import stat
import tempfile
from pathlib import Path

DATA_ENV = "SKIMBALANCE_DATA"
CACHE_ENV = "SKIMBALANCE_CACHE"


def get_data_home(data_home=None):
    """Return the directory that holds the original data files.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Explicit directory. ``None`` means the ``SKIMBALANCE_DATA`` environment
        variable, else ``~/skimbalance_data``.

    Returns
    -------
    path : pathlib.Path
        Absolute path, ``~`` expanded. The directory may not exist.

    Examples
    --------
    >>> from skimbalance.datasets._home import get_data_home
    >>> get_data_home("/data").as_posix()
    '/data'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_ENV) or "~/skimbalance_data"
    return Path(os.path.abspath(Path(data_home).expanduser()))


def get_cache_home():
    """Return the user cache directory for parsed data sets.

    Returns
    -------
    path : pathlib.Path
        ``$SKIMBALANCE_CACHE``, else ``$XDG_CACHE_HOME/skimbalance``, else
        ``~/.cache/skimbalance``; absolute, ``~`` expanded. The directory may
        not exist.
    """
    cache = os.environ.get(CACHE_ENV)
    if not cache:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg) if xdg else Path("~/.cache")
        cache = base / "skimbalance"
    return Path(os.path.abspath(Path(cache).expanduser()))


def is_writable_dir(path):
    """Tell whether ``path`` is an existing directory we may write into.

    Parameters
    ----------
    path : path-like
        Directory to test.

    Returns
    -------
    writable : bool
        ``True`` when ``path`` is a directory, ``os.access`` grants write and
        search permission, and at least one write permission bit is set.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return (
        stat.S_ISDIR(mode)
        and bool(stat.S_IMODE(mode) & 0o222)
        and os.access(path, os.W_OK | os.X_OK)
    )


def _nearest_existing(path):
    """Return ``path`` or its closest ancestor that exists."""
    path = Path(path)
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def ensure_writable_dir(path, *, hint=""):
    """Create ``path`` if needed and check that files can be written into it.

    Parameters
    ----------
    path : path-like
        Directory that must end up existing and writable.
    hint : str, default=""
        Sentence appended to the error message, saying what the caller can
        do instead.

    Returns
    -------
    path : pathlib.Path
        The directory, created if it did not exist.

    Raises
    ------
    PermissionError
        If the directory (or the closest existing ancestor, when it must be
        created) is not a writable directory, or creating it fails.
    """
    path = Path(path)
    anchor = path if path.exists() else _nearest_existing(path)
    reason = None
    if not is_writable_dir(anchor):
        if not anchor.is_dir():
            reason = f"'{anchor}' is not a directory"
        else:
            reason = f"'{anchor}' is not writable"
    else:
        try:
            path.mkdir(parents=True, exist_ok=True)
            # Probe: permission bits can lie (ACLs, read-only mounts).
            fd, probe = tempfile.mkstemp(dir=path, prefix=".write-test-")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            reason = f"{type(exc).__name__}: {exc}"
    if reason is not None:
        message = f"Cannot write to the directory '{path}' ({reason})."
        raise PermissionError(f"{message} {hint}".strip())
    return path


def data_home_origin(data_home):
    """Where the data home came from, for messages: the argument, the
    environment variable, or the default."""
    if data_home is not None:
        return "the data_home argument"
    return f"${DATA_ENV}" if os.environ.get(DATA_ENV) else "the default"


@contextlib.contextmanager
def removing_new_dirs_on_error(directory):
    """Remove the (empty) directories this block creates for ``directory`` if
    it raises: a failed download leaves no empty folders behind."""
    new_dirs = [p for p in (directory, *directory.parents) if not p.exists()]
    try:
        yield
    except BaseException:
        for path in new_dirs:  # deepest first; only removes empty ones
            with contextlib.suppress(OSError):
                path.rmdir()
        raise
