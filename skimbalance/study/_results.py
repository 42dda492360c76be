"""The study's results folder: the columns, the keys of a row, and a file that
survives crashes.

``results.csv`` holds one row per scored model and ``curves.csv`` the learning
curves; both are appended row by row, flushed and fsynced, so that an
interrupted study resumes where it stopped. :class:`StudyFolder` owns them:

- an exclusive lock, so that a second run on the same folder gets a clear error
  instead of writing every row twice;
- ``study.json``, the settings, so that one folder never mixes two studies;
- on opening, rows that a crash left incomplete (a torn last line, a line that
  does not parse, curve rows without their result) are dropped, to be
  recomputed, and every append starts on a new line;
- if a run fails before its first row, the files and folders it created are
  removed: no empty output is left behind;
- a results file that is not a regular file (a link to a device, a FIFO), a
  ``study.json`` that does not parse and an ``--out`` that cannot be a folder
  are refused with one line naming the file and what to do, before anything
  is read or written; rewrites keep each file's permissions.

Linear and natural imbalance have no ``mu`` (and natural no ``rho``): those
are NaN in memory and empty in the CSV, decided here (:func:`missing`) only.
"""

import contextlib
import csv
import errno
import io
import json
import math
import os
import stat
import tempfile
from pathlib import Path

#: The columns of ``results.csv``, one row per method, configuration and repeat.
RESULT_COLUMNS = [
    "dataset",
    "imbalance",
    "rho",
    "mu",
    "repeat",
    "fold",
    "method",
    "net",
    "lr",
    "lr_selection",
    "n_train",
    "n_test",
    "roc_auc",
    "accuracy",
    "mcc",
    "pr_auc",
    "balanced_accuracy",
    "train_accuracy",
    "fit_seconds",
    "seed",
    "input_drift",
]
#: The columns of ``curves.csv``: train and test accuracy over the iterations,
#: plain and class-balanced (the mean of the per-class recalls).
CURVE_COLUMNS = [
    "dataset",
    "imbalance",
    "rho",
    "mu",
    "repeat",
    "fold",
    "method",
    "iteration",
    "train_accuracy",
    "train_balanced_accuracy",
    "test_accuracy",
    "test_balanced_accuracy",
]
#: What identifies one configuration, and one row: a repeat of the protocol
#: (a draw of the training set, or of the folds), a fold of it (0 for the
#: paper's protocol and a user's test folder), a method.
CONFIG = ["dataset", "imbalance", "rho", "mu"]
KEY = CONFIG + ["repeat", "fold", "method"]
#: Score columns; a row is finished only when each of them is a finite number.
METRICS = ("roc_auc", "accuracy", "mcc", "pr_auc", "balanced_accuracy")
#: Numbers a curve point must hold (its class-balanced accuracies may be
#: empty: curves recorded before they were).
_CURVE_NUMBERS = ("iteration", "train_accuracy", "test_accuracy")
SETTINGS = "study.json"
_LOCK = ".study.lock"


def missing(value):
    """Whether a ``rho`` or ``mu`` is absent (NaN, None or an empty CSV field)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def number(value):
    """``rho`` or ``mu`` as a float, NaN when absent."""
    return math.nan if missing(value) else float(value)


def key_of(row):
    """The identity of a row: dataset, imbalance, rho, mu, repeat, fold, method."""
    rho, mu = (None if missing(row[k]) else float(row[k]) for k in ("rho", "mu"))
    return (
        str(row["dataset"]),
        str(row["imbalance"]),
        rho,
        mu,
        int(row["repeat"]),
        int(row["fold"]),
        str(row["method"]),
    )


def describe_config(dataset, imbalance, rho, mu):
    """``"digits, step, rho 10, mu 0.5"``, leaving out what a configuration lacks.

    >>> describe_config("digits", "linear", 10.0, float("nan"))
    'digits, linear, rho 10'
    """
    text = f"{dataset}, {imbalance}"
    if not missing(rho):
        text += f", rho {float(rho):g}"
    if not missing(mu):
        text += f", mu {float(mu):g}"
    return text


def _csv_value(value):
    return "" if isinstance(value, float) and missing(value) else value


def _valid(row, columns):
    """Whether a parsed CSV row is whole: every field there, its key readable,
    and its numbers finite (the scores of a result row; the accuracies of a
    curve point)."""
    if row is None or None in row.values() or len(row) != len(columns):
        return False
    numbers = METRICS if columns == RESULT_COLUMNS else _CURVE_NUMBERS
    optional = [c for c in columns if c.endswith("balanced_accuracy")]
    try:
        key_of(row)
        return all(math.isfinite(float(row[m])) for m in numbers) and all(
            missing(row[m]) or math.isfinite(float(row[m])) for m in optional
        )
    except (KeyError, TypeError, ValueError):
        return False


def check_regular(path):
    """A ValueError unless ``path`` is absent or a regular file (a link to
    one is fine): a device, a FIFO or a folder in its place would be read
    without end, block, or fail half-way."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            raise ValueError(
                f"'{path}' is a broken symbolic link; remove it or use another --out "
                "folder."
            ) from None
        return
    if not stat.S_ISREG(mode):
        raise ValueError(
            f"'{path}' is {_kind(mode)}, not a regular file; the study keeps its "
            "results in regular files. Remove it or use another --out folder."
        )


def _kind(mode):
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_rows(path, columns):
    """``(rows, intact)``: the complete, valid rows of a CSV file and whether
    the file held nothing else (no torn last line, no broken row)."""
    check_regular(path)
    if not path.exists():
        return [], True
    text = path.read_text(encoding="utf-8")
    if not text:
        return [], False
    complete, _, torn = text.rpartition("\n")
    lines = complete.split("\n") if complete else []
    if not lines:  # not even a whole header line: start the file again
        return [], False
    if next(csv.reader([lines[0]])) != columns:
        raise ValueError(
            f"'{path}' does not have the columns of this version of the study "
            f"({', '.join(columns)}); use another --out folder."
        )
    rows = list(csv.DictReader(io.StringIO(complete + "\n")))
    valid = [r for r in rows if _valid(r, columns)]
    return valid, not torn and len(valid) == len(rows)


def write_atomically(path, write, *, text=True):
    """Write ``path`` through ``write(file)`` on a temporary file beside it,
    then rename it into place: readers (and a crash) see the old file or the
    new one, never a torn one. An existing file keeps its permissions.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> write_atomically(path, lambda f: f.write("done\\n"))
    >>> path.read_text()
    'done\\n'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        options = dict(newline="", encoding="utf-8") if text else {}
        with os.fdopen(fd, "w" if text else "wb", **options) as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _rewrite(path, columns, rows):
    """Replace ``path`` by exactly ``rows`` (atomically, same permissions)."""

    def write(out):
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        writer.writerows(rows)

    write_atomically(path, write)


def _unusable(out, exc):
    """The one-line ValueError for an ``--out`` that cannot be the folder."""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        blocker = next(
            (p for p in (out, *out.parents) if p.exists() and not p.is_dir()), out
        )
        reason = (
            "it is a file, not a folder"
            if blocker == out
            else f"'{blocker}' is a file, not a folder"
        )
    elif exc.errno == errno.EROFS:
        reason = "the file system is read-only"
    elif isinstance(exc, PermissionError):
        reason = "permission denied"
    else:
        reason = exc.strerror or str(exc)
    return ValueError(
        f"--out '{out}' cannot be used as the study's folder: {reason}. Choose "
        "another --out."
    )


class StudyFolder:
    """The output folder of one study run, locked, repaired and appended to.

    Parameters
    ----------
    out : path-like
        The folder; created when missing.
    settings : dict
        What the rows depend on beyond their own columns (``max_iter``,
        ``seed``, ...); must equal the ``study.json`` of a folder being resumed.

    Attributes
    ----------
    finished : set of tuple
        Keys (:func:`key_of`) of the rows already in ``results.csv``.
    """

    def __init__(self, out, settings):
        self.out, self.settings = Path(out), settings
        self.results, self.curves = self.out / "results.csv", self.out / "curves.csv"

    def __enter__(self):
        self._created = [p for p in (self.out, *self.out.parents) if not p.exists()]
        self._files, self._new_files = {}, []
        self.rows_written = 0
        try:
            for name in (_LOCK, SETTINGS, "results.csv", "curves.csv"):
                with contextlib.suppress(NotADirectoryError):
                    check_regular(self.out / name)
            try:
                self.out.mkdir(parents=True, exist_ok=True)
                self._lock()
            except OSError as exc:
                raise _unusable(self.out, exc) from None
            self._check_settings()
            self.finished = self._repair()
        except BaseException:
            self._clean_up(failed=True)
            raise
        return self

    def _lock(self):
        import fcntl

        self._lock_file = open(self.out / _LOCK, "a")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            self._lock_file = None
            raise ValueError(
                f"Another study is running on '{self.out}' (it holds "
                f"'{self.out / _LOCK}'); wait for it to finish or use another --out."
            ) from None

    def _check_settings(self):
        path = self.out / SETTINGS
        self._new_settings = not path.exists()
        if self._new_settings:
            text = json.dumps(self.settings, indent=2) + "\n"
            write_atomically(path, lambda f: f.write(text))
            return
        before = read_settings(path)
        if before != self.settings:
            changed = {
                k: (before.get(k), self.settings.get(k))
                for k in sorted(set(before) | set(self.settings))
                if before.get(k) != self.settings.get(k)
            }
            raise ValueError(
                f"{path} holds results of other settings {changed} (before, now); "
                "refusing to mix them. Use another --out folder."
            )

    def _repair(self):
        results, intact = read_rows(self.results, RESULT_COLUMNS)
        if not intact:
            _rewrite(self.results, RESULT_COLUMNS, results)
        finished = {key_of(r) for r in results}
        curves, intact = read_rows(self.curves, CURVE_COLUMNS)
        kept = [c for c in curves if key_of(c) in finished]
        if not intact or len(kept) != len(curves):
            _rewrite(self.curves, CURVE_COLUMNS, kept)
        return finished

    def append(self, row, curve=()):
        """Append the curve points of a model (dicts of the curve columns
        after ``method``), then its result row; each line flushed and fsynced,
        so a crash loses at most the row being written, and curve points
        without their row are dropped on the next opening."""
        for point in curve:
            self._write(self.curves, CURVE_COLUMNS, {**row, **point})
        self._write(self.results, RESULT_COLUMNS, row)
        self.finished.add(key_of(row))
        self.rows_written += 1

    def _write(self, path, columns, row):
        if path not in self._files:
            new = not path.exists()
            file = open(path, "a", newline="", encoding="utf-8")
            self._files[path] = (file, csv.DictWriter(file, columns))
            if new:
                self._new_files.append(path)
                self._files[path][1].writeheader()
        file, writer = self._files[path]
        writer.writerow({c: _csv_value(row.get(c, "")) for c in columns})
        file.flush()
        os.fsync(file.fileno())

    def __exit__(self, exc_type, exc, tb):
        self._clean_up(failed=exc_type is not None)

    def _clean_up(self, failed):
        for file, _ in self._files.values():
            file.close()
        self._files = {}
        nothing_written = self.rows_written == 0
        if failed and nothing_written:  # leave no empty output behind
            created = list(self._new_files)
            if getattr(self, "_new_settings", False):
                created.append(self.out / SETTINGS)
            for path in created:
                with contextlib.suppress(OSError):
                    path.unlink()
        lock = getattr(self, "_lock_file", None)
        if lock is not None:
            with contextlib.suppress(OSError):
                (self.out / _LOCK).unlink()
            lock.close()
            self._lock_file = None
        if failed and nothing_written:
            for path in self._created:  # deepest first; only removes empty ones
                with contextlib.suppress(OSError):
                    path.rmdir()


def read_settings(path):
    """The settings of ``study.json``; a ValueError in one line when it is not
    a regular file or does not parse (cut short by a crash, or edited)."""
    path = Path(path)
    check_regular(path)
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f" at line {exc.lineno}" if hasattr(exc, "lineno") else ""
        raise ValueError(
            f"'{path}' is not valid JSON ({getattr(exc, 'msg', exc)}{where}): it "
            "was cut short or edited. If the results beside it were made with the "
            "settings of this command, delete it and rerun to resume; else use "
            "another --out folder."
        ) from None
    if not isinstance(settings, dict):
        raise ValueError(
            f"'{path}' holds {type(settings).__name__}, not the study's settings; "
            "use another --out folder."
        )
    return settings


def read_results(out):
    """``(results, curves)`` of a study folder as DataFrames (curves None when
    absent or empty), with ``rho`` and ``mu`` NaN where a configuration lacks them."""
    import pandas as pd

    out = Path(out)
    for name in ("results.csv", "curves.csv"):
        check_regular(out / name)
    results = pd.read_csv(out / "results.csv")
    curves_path = out / "curves.csv"
    curves = pd.read_csv(curves_path) if curves_path.exists() else None
    if curves is not None and curves.empty:
        curves = None
    return results, curves
