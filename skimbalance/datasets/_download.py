"""Downloads that land atomically: a file appears only once it passed its check."""

import contextlib
import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.request

#: Seconds per connection attempt and per read.
TIMEOUT = 30.0


def download_file(urls, directory, filename, check, *, what, timeout=TIMEOUT):
    """Fetch ``filename`` from the first of ``urls`` whose copy passes ``check``.

    Each attempt writes a temporary file in ``directory``; ``check(path,
    url)`` raises :class:`ValueError` when the content is wrong and otherwise
    returns what the caller wants (e.g. the parsed array). Only then is the
    file renamed to ``directory / filename``; nothing partial is ever left.

    Parameters
    ----------
    urls : sequence of str
        Full URLs of the same file, tried in order.
    directory : pathlib.Path
        Existing, writable directory.
    filename : str
        Name of the file in ``directory``.
    check : callable
        ``check(path, url)``, see above.
    what : str
        What the file is, for the error message (e.g. ``"MNIST"``).
    timeout : float, default=30.0
        Seconds per connection attempt and per read.

    Returns
    -------
    result : object
        What ``check`` returned for the copy that was kept.

    Raises
    ------
    OSError
        If every URL fails; the message lists each URL with its error.
    """
    failures = []
    for url in urls:
        fd, tmp = tempfile.mkstemp(
            dir=directory, prefix=f".{filename}.", suffix=".part"
        )
        try:
            with os.fdopen(fd, "wb") as out:
                request = urllib.request.Request(
                    url, headers={"User-Agent": "skimbalance"}
                )
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    shutil.copyfileobj(response, out, 1 << 20)
            result = check(tmp, url)
            os.chmod(tmp, 0o644)  # mkstemp creates 0o600; data is not secret
            os.replace(tmp, directory / filename)
            return result
        except (OSError, ValueError, http.client.HTTPException) as exc:
            failures.append(f"  {url}: {type(exc).__name__}: {exc}")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    raise OSError(
        f"Could not download {what} file '{filename}' into '{directory}': every "
        "mirror failed:\n" + "\n".join(failures) + "\nCheck the network "
        f"connection, or copy the file into '{directory}' yourself."
    )


def sha256_of_file(path):
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
