"""``run_study``: the paper's protocol (§3) over a grid, resumable, in parallel.

Everything is checked before anything is written; the data is loaded before
the output folder is touched; rows are appended as models finish
(:class:`~._results.StudyFolder`), and an interrupted model (Ctrl-C, SIGTERM,
an exception) gets no row.
"""

import contextlib
import math
import signal
import threading
import time
import warnings
from numbers import Integral
from pathlib import Path

from sklearn.metrics import accuracy_score, check_scoring

from ..metrics import imbalance_scorers
from ..sampling import LinearImbalanceSampler, StepImbalanceSampler
from ._data import (
    LR_GRID,
    check_dataset,
    check_net,
    config_seed,
    default_lr,
    load_study_data,
    make_network,
)
from ._methods import (
    CURVE_METHODS,
    THRESHOLDED,
    build_method,
    network_of,
    resolve_methods,
    threshold,
    trained_methods,
)
from ._plots import plot_study
from ._report import write_report
from ._results import SETTINGS, StudyFolder, key_of, read_results

#: Points of the learning curves of :data:`CURVE_METHODS` (the paper's Figure 8).
CURVE_POINTS = 10
IMBALANCES = ("step", "linear", "natural")
LR_SEARCHES = ("none", "test", "validation")
#: Scores of ``results.csv`` read from one ``predict_proba`` of the test set.
_SCORES = ("roc_auc", "accuracy", "mcc", "pr_auc", "balanced_accuracy")


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
    net=None,
    lr_search="none",
    folds=3,
    test=None,
    n_per_class=None,
    image_size=None,
    n_jobs=1,
    scheduler=None,
    device="cpu",
    precision="32",
    quiet=False,
):
    """Run the study and write ``results.csv`` (one row per method and configuration).

    For the paper's protocol every configuration (rho, mu, repeat) draws its
    own imbalanced training set and every method trains for the same
    ``max_iter`` weight updates; with ``imbalance="natural"`` the methods are
    compared on the data as it is, by ``folds``-fold stratified
    cross-validation (or on ``test``). Rows are appended and fsynced as each
    model finishes; rerunning the same command skips the rows already there.
    Then ``report.md`` and the figures are written (:func:`write_outputs`).

    Parameters
    ----------
    dataset : str, default="digits"
        ``"digits"`` (scikit-learn's 8x8 digits, no download, a fixed
        stratified 2/3 - 1/3 split), ``"mnist"`` (LeNet-5, random minority
        classes), ``"cifar10"`` (All-CNN, GCN + ZCA, the lowest labels
        minority), or a path: a folder of images per class, or an ``.npz``
        holding ``X`` and ``y``.
    imbalance : {"step", "linear", "natural"}, default="step"
        The paper's imbalance types (Section 3.1), or the data as it is.
    rhos : sequence of float, default=(2, 10, 50)
        Imbalance ratios (>= 1, finite): majority over minority class size.
    mus : sequence of float, default=(0.2, 0.5, 0.8)
        Fractions of minority classes, in (0, 1] (step imbalance only).
    methods : "paper", "all" or sequence of str, default="paper"
        :data:`PAPER_METHODS`, :data:`ALL_METHODS`, or names from them and
        ``ros_ratio_<r>`` / ``rus_ratio_<r>`` (resampling to ratio ``r``).
    repeats : int, default=1
        Repeats of each (rho, mu), each with its own draw of the data.
    max_iter : int, default=300
        Weight updates per model (the paper: 10 000 for MNIST, 70 000 for
        CIFAR-10).
    seed : int, default=0
        Seeds the data draws and the networks of every configuration.
    out : str or path-like, default="skimbalance-study"
        Output folder; created when missing, locked while the study runs.
    net : str or None, default=None
        ``"lenet5"``, ``"allcnn"``, ``"resnet10"`` or the name of a
        ``torchvision.models`` model; ``None`` is the dataset's (All-CNN for
        CIFAR-10, else LeNet-5).
    lr_search : {"none", "test", "validation"}, default="none"
        ``"none"``: the network's base learning rate (a tenth of it after a
        divergence). Else each trained method tries the paper's grid
        :data:`LR_GRID` and keeps the best ROC AUC, on the test set
        (``"test"``, as the paper did) or on a stratified tenth of the
        training set held out for it (``"validation"``); the results record
        the rate and the choice.
    folds : int, default=3
        Cross-validation folds for ``imbalance="natural"`` on a user's data
        without ``test``.
    test : str or None, default=None
        A test folder (or ``.npz``) of the user's, instead of cross-validation.
    n_per_class : int or None, default=None
        Examples per class before imbalance (MNIST and CIFAR-10: 5000 as in the
        paper); smaller values give quick runs.
    image_size : int or None, default=None
        Resize the images of a user's folder to this size.
    n_jobs : int, default=1
        Configurations run in parallel with joblib.
    scheduler : str or None, default=None
        Address of a Dask scheduler (``tcp://HOST:PORT``) to run on; the
        configurations then use every worker thread of the cluster.
    device : str, default="cpu"
        Where the networks train ("cpu", "cuda", "auto"); CPU runs repeat bit
        for bit.
    precision : {"32", "bf16", "16"}, default="32"
        The networks' arithmetic (mixed precision on a GPU).
    quiet : bool, default=False
        No progress bar.

    Returns
    -------
    results : pandas.DataFrame
        The whole ``results.csv``.

    Raises
    ------
    ValueError
        If an argument is invalid (before anything is written), or the folder
        holds another study or is in use by another run.
    OSError
        If the data cannot be read or downloaded, or the folder written.
    KeyboardInterrupt
        On Ctrl-C or SIGTERM: the model in training gets no row; rerun the
        same call to resume.

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
        dataset=dataset,
        imbalance=imbalance,
        rhos=rhos,
        mus=mus,
        methods=methods,
        repeats=repeats,
        max_iter=max_iter,
        seed=seed,
        net=net,
        lr_search=lr_search,
        folds=folds,
        test=test,
        n_per_class=n_per_class,
        n_jobs=n_jobs,
    )
    data = load_study_data(
        dataset, test=test, folds=folds, image_size=image_size, n_per_class=n_per_class
    )
    net = net or data.net
    configs = _configs(data, imbalance, rhos, mus, repeats)
    settings = {
        "dataset": str(dataset),
        "max_iter": max_iter,
        "seed": seed,
        "net": net,
        "lr_search": lr_search,
        "n_per_class": n_per_class,
        "preprocessing": data.preprocessing,
    }
    if imbalance == "natural":
        settings["class_counts"] = data.class_counts()
        settings["evaluation"] = (
            f"{data.folds}-fold stratified cross-validation"
            if data.folds
            else f"the test data {test}"
        )
    job = dict(
        imbalance=imbalance,
        methods=methods,
        net=net,
        max_iter=max_iter,
        seed=seed,
        device=device,
        lr_search=lr_search,
        precision=precision,
    )
    with _sigterm_as_interrupt(), StudyFolder(out, settings) as folder:
        todo = [
            c
            for c in configs
            if any(
                _key(data.name, imbalance, *c, m) not in folder.finished
                for m in methods
            )
        ]
        with _progress(len(todo) * len(methods), quiet) as bar:
            if n_jobs == 1 and scheduler is None:
                rows = (
                    r
                    for c in todo
                    for r in run_configuration(c, data, **job, done=folder.finished)
                )
            else:
                rows = _parallel(todo, data, job, folder.finished, n_jobs, scheduler)
            for row in rows:
                folder.append(row, row.pop("curve", ()))
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
    import json

    out = Path(out)
    results, curves = read_results(out)
    settings = json.loads((out / SETTINGS).read_text())
    figures = []
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        warnings.warn("matplotlib is not installed: no figures written.")
    else:
        figures = plot_study(results, out, curves=curves)
    write_report(
        results, out / "report.md", curves=curves, settings=settings, figures=figures
    )
    return results


def run_configuration(
    config,
    data,
    *,
    imbalance,
    methods,
    max_iter,
    seed,
    net="lenet5",
    done=(),
    device="cpu",
    lr_search="none",
    precision="32",
):
    """Yield the result rows of one (rho, mu, repeat), skipping finished methods.

    The unit of work of :func:`run_study`, and of its joblib and Dask runs:
    draws the training set of the configuration, trains each method that
    thresholding does not derive from another, and scores every method on the
    test set with one ``predict_proba``
    (:func:`~skimbalance.metrics.imbalance_scorers`).

    Parameters
    ----------
    config : tuple of (float, float, int)
        ``(rho, mu, repeat)``; ``mu`` is NaN for linear imbalance, both NaN for
        natural imbalance (then ``repeat`` is the fold).
    data : StudyData
        From :func:`load_study_data`.
    imbalance : {"step", "linear", "natural"}
        The imbalance type.
    methods : sequence of str
        Method names, as in :func:`run_study`.
    max_iter : int
        Weight updates per model.
    seed : int
        The study's seed; the configuration's own seed is derived from it.
    net : str, default="lenet5"
        The network, as in :func:`run_study`.
    done : collection of tuple, default=()
        Keys of rows already in ``results.csv``; those methods are skipped.
    device : str, default="cpu"
        Where the networks train.
    lr_search : {"none", "test", "validation"}, default="none"
        How the base learning rate is chosen, as in :func:`run_study`.
    precision : {"32", "bf16", "16"}, default="32"
        The networks' arithmetic.

    Yields
    ------
    row : dict
        The columns of :data:`RESULT_COLUMNS` and ``curve``, the learning curve
        as ``(iteration, train_accuracy, test_accuracy)`` tuples (empty for
        methods without one).

    Examples
    --------
    >>> from skimbalance.study import load_study_data, run_configuration
    >>> rows = run_configuration(
    ...     (10, 0.5, 0), load_study_data("digits"), imbalance="step",
    ...     methods=["ros"], max_iter=10, seed=0,
    ... )
    >>> row = next(rows)
    >>> row["method"], 0 <= row["roc_auc"] <= 1
    ('ros', True)
    """
    rho, mu, repeat = (float(config[0]), float(config[1]), int(config[2]))
    seed_c = config_seed(seed, rho, mu, repeat)
    X, y, X_test, y_test = data.splits(repeat, seed)
    if imbalance != "natural":
        X, y = _imbalanced(data, imbalance, rho, mu, seed_c).fit_resample(X, y)
    wanted = [m for m in methods if _key(data.name, imbalance, *config, m) not in done]
    context = dict(
        net=net, max_iter=max_iter, seed=seed_c, device=device, precision=precision
    )
    for trained in trained_methods(wanted):
        start = time.perf_counter()
        model, curve, lr, selection = _fit(
            trained, X, y, X_test, y_test, lr_search, **context
        )
        seconds = time.perf_counter() - start
        train_accuracy = accuracy_score(y, model.predict(X))
        variants = [(trained, model)] + [
            (name, threshold(model, X, y, target))
            for name, (base, target) in THRESHOLDED.items()
            if base == trained and name in wanted
        ]
        for name, fitted in variants:
            if name not in wanted:
                continue
            yield {
                "dataset": data.name,
                "imbalance": imbalance,
                "rho": rho,
                "mu": mu,
                "repeat": repeat,
                "method": name,
                "net": net,
                "lr": lr,
                "lr_selection": selection,
                **_scores(fitted, X_test, y_test),
                "train_accuracy": train_accuracy
                if name == trained
                else accuracy_score(y, fitted.predict(X)),
                "fit_seconds": round(seconds, 3),
                "seed": seed_c,
                "curve": curve if name == trained else [],
            }


def _scores(model, X_test, y_test):
    """The scores of ``results.csv``: every scorer of :func:`imbalance_scorers`
    from one cached ``predict_proba``."""
    scorers = {k: v for k, v in imbalance_scorers().items() if k in _SCORES}
    return check_scoring(model, scoring=scorers)(model, X_test, y_test)


def _imbalanced(data, imbalance, rho, mu, seed):
    if imbalance == "step":
        return StepImbalanceSampler(
            rho=rho,
            mu=mu,
            n_majority=data.n_per_class,
            minority_classes=data.minority,
            random_state=seed,
        )
    return LinearImbalanceSampler(
        rho=rho, n_max=data.n_per_class, class_order=data.minority, random_state=seed
    )


def _fit(
    method, X, y, X_test, y_test, lr_search, *, net, max_iter, seed, device, precision
):
    """``(model, curve, lr, how lr was chosen)`` of one trained method."""
    build = dict(
        net=net, max_iter=max_iter, seed=seed, device=device, precision=precision
    )
    if lr_search == "none":
        base = default_lr(net)
        for lr in (base, base / 10, base / 100):
            try:
                model, curve = _fit_one(method, X, y, X_test, y_test, lr=lr, **build)
                return model, curve, lr, "fixed" if lr == base else "divergence"
            except FloatingPointError as exc:
                warnings.warn(
                    f"{method} diverged at lr={lr:g} ({exc}); retrying lower."
                )
        raise FloatingPointError(f"{method} diverged at lr {base:g}, /10 and /100.")
    if lr_search == "validation":
        from sklearn.model_selection import train_test_split

        X_fit, X_val, y_fit, y_val = train_test_split(
            X, y, test_size=0.1, stratify=y, random_state=seed
        )
    else:
        X_fit, y_fit, X_val, y_val = X, y, X_test, y_test
    best = None
    for lr in LR_GRID:
        try:
            model, curve = _fit_one(
                method, X_fit, y_fit, X_test, y_test, lr=lr, **build
            )
        except FloatingPointError:
            continue
        score = _scores(model, X_val, y_val)["roc_auc"]
        if best is None or score > best[0]:
            best = (score, model, curve, lr)
    if best is None:
        raise FloatingPointError(f"{method} diverged at every lr of {LR_GRID}.")
    return best[1], best[2], best[3], lr_search


def _fit_one(
    method, X, y, X_test, y_test, *, net, max_iter, seed, device, precision, lr
):
    network = make_network(
        net,
        max_iter=max_iter,
        random_state=seed,
        device=device,
        lr=lr,
        precision=precision,
    )
    model = build_method(method, network, random_state=seed)
    if method not in CURVE_METHODS:
        return model.fit(X, y), []
    return model, _fit_in_chunks(model, X, y, X_test, y_test, max_iter)


def _fit_in_chunks(model, X, y, X_test, y_test, max_iter):
    """Train ``max_iter`` updates in :data:`CURVE_POINTS` warm-start chunks under
    one schedule of ``max_iter``, recording train and test accuracy between them."""
    network = network_of(model)
    network.set_params(warm_start=True, schedule_length=max_iter)
    curve, done = [], 0
    for point in range(1, CURVE_POINTS + 1):
        target = max(round(max_iter * point / CURVE_POINTS), done + 1)
        if target > max_iter:
            break
        network.set_params(max_iter=target - done)
        model.fit(X, y)  # a pipeline's sampler redraws the same rows (seeded)
        done = target
        curve.append(
            (
                done,
                accuracy_score(y, model.predict(X)),
                accuracy_score(y_test, model.predict(X_test)),
            )
        )
    network.set_params(warm_start=False, max_iter=max_iter, schedule_length=None)
    return curve


def _key(dataset, imbalance, rho, mu, repeat, method):
    return key_of(
        {
            "dataset": dataset,
            "imbalance": imbalance,
            "rho": rho,
            "mu": mu,
            "repeat": repeat,
            "method": method,
        }
    )


def _configs(data, imbalance, rhos, mus, repeats):
    if imbalance == "natural":
        n = data.folds or repeats
        return [(math.nan, math.nan, r) for r in range(n)]
    mus = [math.nan] if imbalance == "linear" else [float(m) for m in mus]
    return [(float(rho), mu, r) for rho in rhos for mu in mus for r in range(repeats)]


def _check_arguments(
    *,
    dataset,
    imbalance,
    rhos,
    mus,
    methods,
    repeats,
    max_iter,
    seed,
    net,
    lr_search,
    folds,
    test,
    n_per_class,
    n_jobs,
):
    """Every argument, before anything is read or written; errors name it."""
    if not isinstance(dataset, (str, Path)):
        raise ValueError(f"dataset must be a name or a path; got dataset={dataset!r}.")
    dataset = str(dataset)
    check_dataset(dataset, test)
    if imbalance not in IMBALANCES:
        raise ValueError(
            f"Unknown imbalance {imbalance!r}; expected one of {list(IMBALANCES)}."
        )
    if imbalance != "natural":
        _check_numbers(rhos, "rho", lambda r: math.isfinite(r) and r >= 1, ">= 1")
    if imbalance == "step":
        _check_numbers(mus, "mu", lambda m: 0 < m <= 1, "in (0, 1]")
    for name, value, low in (
        ("repeats", repeats, 1),
        ("max_iter", max_iter, 1),
        ("folds", folds, 2),
        ("n_jobs", n_jobs, -1),
    ):
        if (
            not isinstance(value, Integral)
            or value < low
            or (name == "n_jobs" and value == 0)
        ):
            raise ValueError(f"{name} must be an int >= {low}; got {name}={value!r}.")
    if n_per_class is not None and not (
        isinstance(n_per_class, Integral) and n_per_class >= 1
    ):
        raise ValueError(
            f"n_per_class must be None or an int >= 1; got {n_per_class!r}."
        )
    if not isinstance(seed, Integral):
        raise ValueError(f"seed must be an int; got seed={seed!r}.")
    if lr_search not in LR_SEARCHES:
        raise ValueError(
            f"lr_search must be one of {list(LR_SEARCHES)}; got "
            f"lr_search={lr_search!r}."
        )
    check_net(net)
    return resolve_methods(methods)


def _check_numbers(values, name, valid, expected):
    try:
        values = [float(v) for v in values]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers; got {values!r}.") from None
    if not values:
        raise ValueError(f"{name} is empty; give at least one value.")
    for value in values:
        if not valid(value):
            raise ValueError(f"{name} must be {expected}; got {name}={value:g}.")


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM raises KeyboardInterrupt (in the main thread), so a terminated run
    stops like an interrupted one: the model in flight gets no row."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"terminated by signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress(total, quiet):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=quiet, unit="model", desc="study")


def _parallel(configs, data, job, done, n_jobs, scheduler):
    """Rows of each configuration as it finishes (joblib, optionally on Dask)."""
    from joblib import Parallel, delayed, parallel_backend

    with contextlib.ExitStack() as stack:
        if scheduler is not None:
            from distributed import Client

            # the client is ours: closed when the study ends, the cluster kept
            client = stack.enter_context(Client(scheduler))
            stack.enter_context(parallel_backend("dask", client=client))
        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        for rows in parallel(
            delayed(_configuration_rows)(c, data, job, done) for c in configs
        ):
            yield from rows


def _configuration_rows(config, data, job, done):
    return list(run_configuration(config, data, **job, done=done))
