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
  removed: no empty output is left behind.

Linear and natural imbalance have no ``mu`` (and natural no ``rho``): those
are NaN in memory and empty in the CSV, decided here (:func:`missing`) only.
"""

import contextlib
import csv
import io
import json
import math
import os
import tempfile
from pathlib import Path

#: The columns of ``results.csv``, one row per method, configuration and repeat.
RESULT_COLUMNS = [
    "dataset",
    "imbalance",
    "rho",
    "mu",
    "repeat",
    "method",
    "net",
    "lr",
    "lr_selection",
    "roc_auc",
    "accuracy",
    "mcc",
    "pr_auc",
    "balanced_accuracy",
    "train_accuracy",
    "fit_seconds",
    "seed",
]
#: The columns of ``curves.csv``: train and test accuracy over the iterations.
CURVE_COLUMNS = [
    "dataset",
    "imbalance",
    "rho",
    "mu",
    "repeat",
    "method",
    "iteration",
    "train_accuracy",
    "test_accuracy",
]
#: What identifies one configuration, and one row.
CONFIG = ["dataset", "imbalance", "rho", "mu"]
KEY = CONFIG + ["repeat", "method"]
#: Score columns; a row is finished only when each of them is a finite number.
METRICS = ("roc_auc", "accuracy", "mcc", "pr_auc", "balanced_accuracy")
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
    """The identity of a row: dataset, imbalance, rho, mu, repeat, method."""
    rho, mu = (None if missing(row[k]) else float(row[k]) for k in ("rho", "mu"))
    return (
        str(row["dataset"]),
        str(row["imbalance"]),
        rho,
        mu,
        int(row["repeat"]),
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
    if row is None or None in row.values() or len(row) != len(columns):
        return False
    if "method" not in columns:  # curves.csv
        return True
    try:
        key_of(row)
        return all(math.isfinite(float(row[m])) for m in METRICS)
    except (KeyError, TypeError, ValueError):
        return False


def read_rows(path, columns):
    """``(rows, intact)``: the complete, valid rows of a CSV file and whether
    the file held nothing else (no torn last line, no broken row)."""
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


def _rewrite(path, columns, rows):
    """Replace ``path`` by exactly ``rows`` (atomically)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, columns)
            writer.writeheader()
            writer.writerows(rows)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


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
            self.out.mkdir(parents=True, exist_ok=True)
            self._lock()
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
            path.write_text(json.dumps(self.settings, indent=2) + "\n")
            return
        before = json.loads(path.read_text())
        if before != self.settings:
            changed = {
                k: (before.get(k), v)
                for k, v in self.settings.items()
                if before.get(k) != v
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
        """Append the curve points of a model, then its result row; each line
        flushed and fsynced, so a crash loses at most the row being written."""
        for iteration, train_accuracy, test_accuracy in curve:
            self._write(
                self.curves,
                CURVE_COLUMNS,
                {
                    **row,
                    "iteration": iteration,
                    "train_accuracy": train_accuracy,
                    "test_accuracy": test_accuracy,
                },
            )
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


def read_results(out):
    """``(results, curves)`` of a study folder as DataFrames (curves None when
    absent or empty), with ``rho`` and ``mu`` NaN where a configuration lacks them."""
    import pandas as pd

    out = Path(out)
    results = pd.read_csv(out / "results.csv")
    curves_path = out / "curves.csv"
    curves = pd.read_csv(curves_path) if curves_path.exists() else None
    if curves is not None and curves.empty:
        curves = None
    return results, curves
