"""``run_study``: the paper's protocol (§3) over a grid, resumable, in parallel."""

import csv
import json
import math
import os
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, matthews_corrcoef
from sklearn.model_selection import train_test_split

from ..datasets import load_digit_images, load_mnist
from ..metrics import macro_average_precision_score, multiclass_roc_auc_score
from ..sampling import LinearImbalanceSampler, StepImbalanceSampler
from ._methods import (
    ADDED_METHODS,
    ALL_METHODS,
    PAPER_METHODS,
    THRESHOLDED,
    build_method,
    is_known_method,
    threshold,
    trained_methods,
)
from ._plots import plot_study
from ._report import write_report

#: The columns of ``results.csv``, one row per method, configuration and repeat.
RESULT_COLUMNS = [
    "dataset", "imbalance", "rho", "mu", "repeat", "method", "roc_auc", "accuracy",
    "mcc", "pr_auc", "balanced_accuracy", "train_accuracy", "fit_seconds", "seed",
]  # fmt: skip
CURVE_COLUMNS = [
    "dataset", "imbalance", "rho", "mu", "repeat", "method", "iteration",
    "train_accuracy", "test_accuracy",
]  # fmt: skip
#: Methods whose learning curves are recorded (the paper's Figure 8), at
#: ``CURVE_POINTS`` evenly spaced iterations.
CURVE_METHODS = ("baseline", "ros", "rus")
CURVE_POINTS = 10
_KEY = ("dataset", "imbalance", "rho", "mu", "repeat", "method")
DATASETS = ("digits", "mnist")
#: Examples per class before imbalance: MNIST as in the paper; digits its smallest.
_N_PER_CLASS = {"mnist": 5000, "digits": None}


def run_study(
    *,
    dataset="digits",
    imbalance="step",
    rhos=(2, 10, 50),
    mus=(0.2, 0.5, 0.8),
    methods="paper",
    repeats=1,
    max_iter=300,
    seed=0,
    out="skimbalance-study",
    n_jobs=1,
    scheduler=None,
    device="cpu",
    quiet=False,
):
    """Run the study and write ``results.csv`` (one row per method and configuration).

    Every configuration (rho, mu, repeat) draws its own imbalanced training
    set (random minority classes, the paper's MNIST protocol), and every method
    is trained for the same ``max_iter`` weight updates. Rows are appended and
    flushed as each model finishes; rerunning the same command skips rows that
    are already there. Then ``report.md`` and the figures are written
    (:func:`write_outputs`).

    Parameters
    ----------
    dataset : {"digits", "mnist"}, default="digits"
        scikit-learn's digits (8x8, no download, a fixed stratified 2/3 - 1/3
        split) or MNIST (28x28, :func:`~skimbalance.datasets.load_mnist`, its
        own test set; classes first cut to 5000 examples each).
    imbalance : {"step", "linear"}, default="step"
        The paper's imbalance types (Section 3.1).
    rhos : sequence of float, default=(2, 10, 50)
        Imbalance ratios: majority over minority class size.
    mus : sequence of float, default=(0.2, 0.5, 0.8)
        Fractions of minority classes (step imbalance only).
    methods : "paper", "all" or sequence of str, default="paper"
        :data:`PAPER_METHODS`, :data:`ALL_METHODS`, or names from them and
        ``ros_ratio_<r>`` / ``rus_ratio_<r>`` (resampling to ratio ``r``).
    repeats : int, default=1
        Repeats of each (rho, mu), each with its own draw of the data.
    max_iter : int, default=300
        Weight updates per model (the paper used 10 000 for MNIST).
    seed : int, default=0
        Seeds the data draws and the networks of every configuration.
    out : str or path-like, default="skimbalance-study"
        Output folder; created when missing.
    n_jobs : int, default=1
        Configurations run in parallel with joblib.
    scheduler : str or None, default=None
        Address of a Dask scheduler (``tcp://HOST:PORT``) to run on; the
        configurations then use every worker thread of the cluster and
        ``n_jobs`` is not used.
    device : str, default="cpu"
        Where the networks train ("cpu", "cuda", "auto"); CPU runs repeat bit
        for bit.
    quiet : bool, default=False
        No progress bar.

    Returns
    -------
    results : pandas.DataFrame
        The whole ``results.csv``.

    See Also
    --------
    run_configuration : The rows of one configuration, as a generator.

    Examples
    --------
    >>> import tempfile
    >>> from skimbalance.study import run_study
    >>> with tempfile.TemporaryDirectory() as out:
    ...     results = run_study(
    ...         rhos=[10], mus=[0.5], methods=["ros", "ros_thresholding"],
    ...         max_iter=20, out=out, quiet=True,
    ...     )
    >>> results[["rho", "mu", "method"]].values.tolist()
    [[10.0, 0.5, 'ros'], [10.0, 0.5, 'ros_thresholding']]
    """
    methods = _check_arguments(
        dataset, imbalance, rhos, mus, methods, repeats, max_iter
    )
    out = _prepare_out(out, dataset=dataset, max_iter=max_iter, seed=seed)
    mus = [math.nan] if imbalance == "linear" else [float(m) for m in mus]
    configs = [
        (float(rho), mu, repeat)
        for rho in rhos
        for mu in mus
        for repeat in range(repeats)
    ]
    path = out / "results.csv"
    done = _finished_keys(path)
    todo = [
        c for c in configs
        if any(_key(dataset, imbalance, *c, m) not in done for m in methods)
    ]  # fmt: skip
    job = dict(dataset=dataset, imbalance=imbalance, methods=methods,
               max_iter=max_iter, seed=seed, done=done, device=device)  # fmt: skip
    appender = _Appender(path, out / "curves.csv")
    with _progress(len(todo) * len(methods), quiet) as bar, appender as append:
        if n_jobs == 1 and scheduler is None:
            for config in todo:
                for row in run_configuration(config, **job):
                    append(row)
                    bar.update(1)
        else:
            for rows in _parallel(todo, job, n_jobs, scheduler):
                for row in rows:
                    append(row)
                    bar.update(1)
    return write_outputs(out)


def write_outputs(out):
    """(Re)write ``report.md`` and the PNG figures from ``out/results.csv``.

    Use it to redraw the outputs of a study folder, for instance after merging
    the rows of runs made on several machines. Figures need matplotlib
    (``pip install skimbalance[plot]``); without it only the report is written.

    Parameters
    ----------
    out : str or path-like
        A folder written by :func:`run_study`: ``results.csv`` and
        ``study.json``, and ``curves.csv`` when learning curves were recorded.

    Returns
    -------
    results : pandas.DataFrame
        The rows of ``results.csv``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skimbalance.study import run_study, write_outputs
    >>> with tempfile.TemporaryDirectory() as out:
    ...     _ = run_study(rhos=[10], mus=[0.5], methods=["ros"], max_iter=10,
    ...                   out=out, quiet=True)
    ...     (Path(out) / "report.md").unlink()
    ...     results = write_outputs(out)
    ...     (Path(out) / "report.md").exists()
    True
    """
    import pandas as pd

    out = Path(out)
    results = pd.read_csv(out / "results.csv")
    settings = json.loads((out / "study.json").read_text())
    curves_path = out / "curves.csv"
    curves = pd.read_csv(curves_path) if curves_path.exists() else None
    if curves is not None and curves.empty:
        curves = None
    write_report(results, out / "report.md", curves=curves, settings=settings)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        warnings.warn("matplotlib is not installed: no figures written.")
    else:
        plot_study(results, out, curves=curves)
    return results


def run_configuration(
    config, *, dataset, imbalance, methods, max_iter, seed, done=(), device="cpu"
):
    """Yield the result rows of one (rho, mu, repeat), skipping finished methods.

    The unit of work of :func:`run_study`, and of its joblib and Dask runs:
    draws the imbalanced training set of the configuration, trains each method
    that thresholding does not derive from another, and scores every method.

    Parameters
    ----------
    config : tuple of (float, float, int)
        ``(rho, mu, repeat)``; ``mu`` is ``nan`` for linear imbalance.
    dataset : {"digits", "mnist"}
        The dataset, as in :func:`run_study`.
    imbalance : {"step", "linear"}
        The imbalance type.
    methods : sequence of str
        Method names, as in :func:`run_study`.
    max_iter : int
        Weight updates per model.
    seed : int
        The study's seed; the configuration's own seed is derived from it.
    done : collection of tuple, default=()
        Keys ``(dataset, imbalance, rho, mu, repeat, method)`` already in
        ``results.csv``; those methods are skipped.
    device : str, default="cpu"
        Where the networks train.

    Yields
    ------
    row : dict
        The columns of :data:`RESULT_COLUMNS` and ``curve``, the learning curve
        as ``(iteration, train_accuracy, test_accuracy)`` tuples (empty for
        methods without one).

    Examples
    --------
    >>> from skimbalance.study import run_configuration
    >>> rows = run_configuration(
    ...     (10, 0.5, 0), dataset="digits", imbalance="step", methods=["ros"],
    ...     max_iter=10, seed=0,
    ... )
    >>> row = next(rows)
    >>> row["method"], 0 <= row["roc_auc"] <= 1
    ('ros', True)
    """
    rho, mu, repeat = config
    config_seed = _config_seed(seed, rho, mu, repeat)
    X, y, X_test, y_test = _load(dataset)
    if imbalance == "step":
        sampler = StepImbalanceSampler(
            rho=rho, mu=mu, n_majority=_N_PER_CLASS[dataset], random_state=config_seed
        )
    else:
        sampler = LinearImbalanceSampler(
            rho=rho, n_max=_N_PER_CLASS[dataset], random_state=config_seed
        )
    X, y = sampler.fit_resample(X, y)
    wanted = [m for m in methods if _key(dataset, imbalance, *config, m) not in done]
    for trained in trained_methods(wanted):
        start = time.perf_counter()
        model, curve = _fit_with_fallback_lr(
            trained, X, y, max_iter, config_seed, device, X_test, y_test
        )
        seconds = time.perf_counter() - start
        variants = [(trained, model)] + [
            (name, threshold(model, X, y, target))
            for name, (base, target) in THRESHOLDED.items()
            if base == trained and name in wanted
        ]
        for name, fitted in variants:
            if name not in wanted:
                continue
            yield {
                "dataset": dataset, "imbalance": imbalance, "rho": rho, "mu": mu,
                "repeat": repeat, "method": name,
                **_scores(fitted, X, y, X_test, y_test),
                "fit_seconds": round(seconds, 3), "seed": config_seed,
                "curve": curve if name == trained else [],
            }  # fmt: skip


#: Base learning rates tried in turn; the paper also lowered the rate "for more
#: imbalanced datasets [where] the training required lower base learning rate".
LEARNING_RATES = (0.01, 0.001, 0.0001)


def _fit_with_fallback_lr(method, X, y, max_iter, seed, device, X_test, y_test):
    """Fit ``method``; on divergence (NaN loss) retry at a 10x lower rate.

    Returns the model and its learning curve: ``(iteration, train accuracy,
    test accuracy)`` at ``CURVE_POINTS`` points for ``CURVE_METHODS`` (trained
    in chunks with ``warm_start``, the schedule continuing), else ``[]``.
    """
    for lr in LEARNING_RATES:
        model = build_method(
            method, max_iter=max_iter, random_state=seed, device=device, lr=lr
        )
        try:
            if method not in CURVE_METHODS:
                return model.fit(X, y), []
            return model, _fit_in_chunks(model, X, y, X_test, y_test, max_iter)
        except FloatingPointError as exc:
            warnings.warn(f"{method} diverged at lr={lr} ({exc}); retrying lower.")
    raise FloatingPointError(f"{method} diverged at every lr in {LEARNING_RATES}.")


def _fit_in_chunks(model, X, y, X_test, y_test, max_iter):
    network = model.steps[-1][1] if hasattr(model, "steps") else model
    network.set_params(warm_start=True)
    curve, done = [], 0
    for point in range(1, CURVE_POINTS + 1):
        target = max(round(max_iter * point / CURVE_POINTS), done + 1)
        if target > max_iter:
            break
        network.set_params(max_iter=target - done)
        model.fit(X, y)  # a pipeline's sampler redraws the same rows (seeded)
        done = target
        curve.append(
            (done, accuracy_score(y, model.predict(X)),
             accuracy_score(y_test, model.predict(X_test)))
        )  # fmt: skip
    network.set_params(warm_start=False, max_iter=max_iter)
    return curve


def _configuration_rows(config, job):
    return list(run_configuration(config, **job))


def _scores(model, X, y, X_test, y_test):
    proba = model.predict_proba(X_test)
    labels = model.classes_
    pred = labels[proba.argmax(axis=1)]
    return {
        "roc_auc": multiclass_roc_auc_score(y_test, proba, labels=labels),
        "accuracy": accuracy_score(y_test, pred),
        "mcc": matthews_corrcoef(y_test, pred),
        "pr_auc": macro_average_precision_score(y_test, proba, labels=labels),
        "balanced_accuracy": balanced_accuracy_score(y_test, pred),
        "train_accuracy": accuracy_score(y, model.predict(X)),
    }


def _load(dataset):
    if dataset == "mnist":
        X, y = load_mnist(return_X_y=True)
        X_test, y_test = load_mnist(subset="test", return_X_y=True)
        return X, y, X_test, y_test
    X, y = load_digit_images(return_X_y=True)
    X, X_test, y, y_test = train_test_split(
        X, y, test_size=1 / 3, stratify=y, random_state=0
    )
    return X, y, X_test, y_test


def _config_seed(seed, rho, mu, repeat):
    mu_code = -1 if math.isnan(mu) else round(mu * 1e6)
    entropy = [seed, repeat, round(rho * 1e6), mu_code + 1]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0] >> 1)


def _key(dataset, imbalance, rho, mu, repeat, method):
    mu = "" if mu is None or (isinstance(mu, float) and math.isnan(mu)) else float(mu)
    return (dataset, imbalance, float(rho), mu, int(repeat), method)


def _finished_keys(path):
    if not path.exists():
        return set()
    with open(path, newline="") as f:
        return {
            _key(r["dataset"], r["imbalance"], r["rho"], float(r["mu"] or "nan"),
                 r["repeat"], r["method"])
            for r in csv.DictReader(f)
        }  # fmt: skip


class _Appender:
    """Append rows to results.csv (and curves.csv), flushed and fsynced."""

    def __init__(self, path, curves_path):
        self.paths = {"results": path, "curves": curves_path}

    def __enter__(self):
        self.files, self.writers = {}, {}
        for name, columns in [("results", RESULT_COLUMNS), ("curves", CURVE_COLUMNS)]:
            path = self.paths[name]
            new = not path.exists() or path.stat().st_size == 0
            self.files[name] = open(path, "a", newline="")
            self.writers[name] = csv.DictWriter(self.files[name], columns)
            if new:
                self.writers[name].writeheader()
        return self

    def __call__(self, row):
        row = {**row, "mu": "" if math.isnan(row["mu"]) else row["mu"]}
        for iteration, train_accuracy, test_accuracy in row.pop("curve", []):
            self._write("curves", {**row, "iteration": iteration,
                                   "train_accuracy": train_accuracy,
                                   "test_accuracy": test_accuracy})  # fmt: skip
        self._write("results", row)

    def _write(self, name, row):
        columns = self.writers[name].fieldnames
        self.writers[name].writerow({k: row[k] for k in columns})
        self.files[name].flush()
        os.fsync(self.files[name].fileno())

    def __exit__(self, *exc):
        for file in self.files.values():
            file.close()


def _prepare_out(out, **settings):
    """Create the output folder and refuse to mix results of other settings."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise ValueError(f"out={str(out)!r} is not a writable folder: {exc}") from exc
    settings_path = out / "study.json"
    if settings_path.exists():
        before = json.loads(settings_path.read_text())
        if before != settings:
            changed = {
                k: (before.get(k), v) for k, v in settings.items() if before.get(k) != v
            }
            raise ValueError(
                f"{settings_path} holds results of other settings {changed} "
                "(before, now); refusing to mix them. Use another --out folder."
            )
    else:
        settings_path.write_text(json.dumps(settings, indent=2))
    return out


def _check_arguments(dataset, imbalance, rhos, mus, methods, repeats, max_iter):
    if dataset not in DATASETS:
        raise ValueError(
            f"Unknown dataset {dataset!r}; expected one of {list(DATASETS)}."
        )
    if imbalance not in ("step", "linear"):
        raise ValueError(
            f"Unknown imbalance {imbalance!r}; expected 'step' or 'linear'."
        )
    for rho in rhos:
        if not rho >= 1:
            raise ValueError(f"rho must be >= 1; got rho={rho}.")
    for mu in mus if imbalance == "step" else ():
        if not 0 < mu <= 1:
            raise ValueError(f"mu must be in (0, 1]; got mu={mu}.")
    if isinstance(methods, str):
        if methods not in ("paper", "all"):
            methods = [methods]
        else:
            methods = list(PAPER_METHODS if methods == "paper" else ALL_METHODS)
    unknown = [m for m in methods if not is_known_method(m)]
    if unknown:
        raise ValueError(
            f"Unknown methods {unknown}; expected 'paper', 'all' or names among "
            f"{list(PAPER_METHODS)}, the additions {list(ADDED_METHODS)} and "
            "partial ratios ros_ratio_<r> / rus_ratio_<r> (r >= 1)."
        )
    if repeats < 1 or max_iter < 1:
        raise ValueError(
            f"repeats and max_iter must be >= 1; got {repeats}, {max_iter}."
        )
    return list(methods)


def _progress(total, quiet):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=quiet, unit="model", desc="study")


def _parallel(configs, job, n_jobs, scheduler):
    """Rows of each configuration as it finishes (joblib, optionally on Dask)."""
    from contextlib import ExitStack

    from joblib import Parallel, delayed, parallel_backend

    with ExitStack() as stack:
        if scheduler is not None:
            from distributed import Client

            # the client is ours: closed when the study ends, the cluster kept
            client = stack.enter_context(Client(scheduler))
            stack.enter_context(parallel_backend("dask", client=client))
        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        yield from parallel(delayed(_configuration_rows)(c, job) for c in configs)
