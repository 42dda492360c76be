"""``run_study``: the paper's protocol (§3) over a grid, resumable, in parallel.

Everything is checked before anything is written; the data is loaded before
the output folder is touched; rows are appended as models finish
(:class:`~._results.StudyFolder`), and an interrupted model (Ctrl-C, SIGTERM,
an exception) gets no row. SIGTERM is an interrupt from the first step to the
last file of the report, which is written whole or not at all.
"""

import contextlib
import math
import signal
import sys
import threading
import time
import warnings
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, matthews_corrcoef

from .._prior_threshold import PriorThresholdClassifier
from ..datasets._image_array import RESIZE_POLICIES
from ..metrics import macro_average_precision_score, multiclass_roc_auc_score
from ..sampling import LinearImbalanceSampler, StepImbalanceSampler
from ._compare import ALPHA, MIN_EFFECT
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
from ._results import SETTINGS, StudyFolder, key_of, read_results, read_settings
from ._warnings import study_warnings

#: Points of the learning curves of :data:`CURVE_METHODS` (the paper's Figure 8).
CURVE_POINTS = 10
IMBALANCES = ("step", "linear", "natural")
LR_SEARCHES = ("none", "test", "validation")
MODES = ("auto", "L", "RGB")
#: Repeats when none are asked for: enough paired units for an interval (three
#: draws of the paper's protocol; two repeats of k-fold cross-validation).
DEFAULT_REPEATS = {"protocol": 3, "cross-validation": 2, "test": 3}


def run_study(
    *,
    dataset="digits",
    imbalance="step",
    rhos=(2, 10, 50),
    mus=(0.2, 0.5, 0.8),
    methods="paper",
    repeats=None,
    max_iter=300,
    seed=0,
    out="skimbalance-study",
    net=None,
    lr_search="none",
    folds=3,
    test=None,
    n_per_class=None,
    image_size=None,
    mode="auto",
    resize="squash",
    memory_budget=None,
    cache=None,
    curves=True,
    n_jobs=1,
    scheduler=None,
    device="cpu",
    precision="32",
    alpha=ALPHA,
    min_effect=MIN_EFFECT,
    quiet=False,
):
    """Run the study and write ``results.csv`` (one row per method and configuration).

    For the paper's protocol every configuration (rho, mu, repeat) draws its
    own imbalanced training set and every method trains for the same
    ``max_iter`` weight updates; with ``imbalance="natural"`` the methods are
    compared on the data as it is, by ``repeats`` x ``folds``-fold stratified
    cross-validation (or on ``test``). Rows are appended and fsynced as each
    model finishes; rerunning the same command skips the rows already there
    (more ``repeats`` or ``methods`` add rows). Then ``report.md`` and the
    figures are written (:func:`write_outputs`), and what the report warns
    about is also issued as :class:`StudyWarning` (on stderr from the command
    line).

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
    repeats : int or None, default=None
        Repeats of each (rho, mu), each with its own draw of the data and seed;
        for ``imbalance="natural"``, repeats of the cross-validation, each
        with its own folds. Every comparison pairs methods over these units
        (repeats x folds), so one repeat of the protocol gives "not enough
        repeats to tell". None: 3 for the protocol and a test folder, 2 for
        cross-validation (2 x ``folds`` units).
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
    mode : {"auto", "L", "RGB"}, default="auto"
        Read a folder's images as grey-scale, colour, or as the files are
        (grey-scale when every file is).
    resize : {"squash", "pad", "crop"}, default="squash"
        How images of another aspect ratio reach ``image_size``: stretched,
        padded with black (letterbox) or cut at the centre.
    memory_budget : int or None, default=None
        Bytes a folder's decoded images may take: within it they are decoded
        and resized once per study, into memory; beyond it, at every batch.
        None: a quarter of the machine's memory.
    cache : str, path-like or None, default=None
        A folder for a user's folder's decoded images
        (:func:`~skimbalance.datasets.load_image_folder`'s ``cache``): decoded
        and resized once, kept on disk as a memory map and read from it by
        this study and the next ones; any size, no memory budget. A test
        folder gets ``<cache>/test``.
    curves : bool, default=True
        Record the learning curves of baseline, ROS and RUS (``curves.csv``:
        Figure 8, conclusion 5 and the check for models that learned late);
        ten evaluations of the training and test sets per model.
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
    alpha : float, default=0.05
        Family-wise error rate of the report's comparisons (Holm).
    min_effect : float, default=0.005
        The smallest difference the report calls better or worse, in score
        units (0.005: half a point of ROC AUC).
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
    ...         repeats=1, max_iter=20, out=out, quiet=True,
    ...     )
    >>> results[["rho", "mu", "method"]].values.tolist()
    [[10.0, 0.5, 'ros'], [10.0, 0.5, 'ros_thresholding']]
    """
    with _sigterm_as_interrupt():
        return _run_study(
            dataset=dataset, imbalance=imbalance, rhos=rhos, mus=mus,
            methods=methods, repeats=repeats, max_iter=max_iter, seed=seed,
            out=out, net=net, lr_search=lr_search, folds=folds, test=test,
            n_per_class=n_per_class, image_size=image_size, mode=mode,
            resize=resize, memory_budget=memory_budget, cache=cache, curves=curves,
            n_jobs=n_jobs, scheduler=scheduler, device=device,
            precision=precision, alpha=alpha, min_effect=min_effect, quiet=quiet,
        )  # fmt: skip


def _run_study(*, dataset, imbalance, rhos, mus, methods, repeats, max_iter, seed,
               out, net, lr_search, folds, test, n_per_class, image_size, mode,
               resize, memory_budget, cache, curves, n_jobs, scheduler, device,
               precision, alpha, min_effect, quiet):  # fmt: skip
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
        mode=mode,
        resize=resize,
        memory_budget=memory_budget,
        alpha=alpha,
        min_effect=min_effect,
    )
    data = load_study_data(
        dataset,
        test=test,
        folds=folds,
        image_size=image_size,
        n_per_class=n_per_class,
        mode=mode,
        resize=resize,
        memory_budget=memory_budget,
        cache=cache,
        quiet=quiet,
    )
    net = net or data.net
    if repeats is None:
        repeats = DEFAULT_REPEATS[_evaluation_kind(imbalance, data)]
    configs = _configs(data, imbalance, rhos, mus, repeats)
    settings = _settings(data, dataset, imbalance, net, max_iter, seed, lr_search,
                         n_per_class, test)  # fmt: skip
    job = dict(
        imbalance=imbalance,
        methods=methods,
        net=net,
        max_iter=max_iter,
        seed=seed,
        device=device,
        lr_search=lr_search,
        precision=precision,
        curves=curves,
    )
    with StudyFolder(out, settings) as folder:
        todo = {
            c: wanted
            for c in configs
            if (wanted := [m for m in methods
                           if _key(data.name, imbalance, *c, m) not in folder.finished])
        }  # fmt: skip
        trainings = sum(len(trained_methods(w)) for w in todo.values())
        with _progress(trainings, quiet) as bar:
            if n_jobs == 1 and scheduler is None:
                rows = (
                    r
                    for c in todo
                    for r in run_configuration(c, data, **job, done=folder.finished)
                )
            else:
                rows = _parallel(list(todo), data, job, folder.finished, n_jobs,
                                 scheduler)  # fmt: skip
            for row in rows:
                trained = row.pop("new_training", False)
                folder.append(row, row.pop("curve", ()))
                bar.update(int(trained))
    results = write_outputs(out, alpha=alpha, min_effect=min_effect)
    for message in study_warnings(results, _read_curves(out), settings):
        warnings.warn(message, StudyWarning, stacklevel=3)
    return results


class StudyWarning(UserWarning):
    """Something in a study's evidence is thin: one line of the report's
    "Warnings", issued by :func:`run_study` when it ends (the command line
    prints them on stderr).

    Examples
    --------
    >>> import warnings
    >>> from skimbalance.study import StudyWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", StudyWarning)  # make thin evidence fatal
    ...     issubclass(StudyWarning, UserWarning)
    True
    """


def _read_curves(out):
    return read_results(out)[1]


def _evaluation_kind(imbalance, data):
    if imbalance != "natural":
        return "protocol"
    return "test" if data.X_test is not None else "cross-validation"


def _settings(data, dataset, imbalance, net, max_iter, seed, lr_search,
              n_per_class, test):  # fmt: skip
    """``study.json``: everything every row depends on beyond its own columns.
    A resume with other settings is refused; adding methods or repeats is not."""
    settings = {
        "dataset": str(dataset),
        "max_iter": max_iter,
        "seed": seed,
        "net": net,
        "lr_search": lr_search,
        "n_per_class": n_per_class,
        "preprocessing": data.preprocessing,
        "n_classes": int(len(np.unique(data.y))),
    }
    if data.images:
        settings["images"] = {k: v for k, v in data.images.items() if k != "decoded"}
    if imbalance == "natural":
        settings["class_counts"] = data.class_counts()
        settings["evaluation"] = (
            f"{data.folds}-fold stratified cross-validation, repeated"
            if data.folds
            else f"the test data {test}"
        )
        settings["test_class_counts"] = data.test_class_counts(seed)
    return settings


def write_outputs(out, *, alpha=ALPHA, min_effect=MIN_EFFECT):
    """(Re)write ``report.md`` and the PNG figures from ``out/results.csv``.

    Use it to redraw the outputs of a study folder, for instance after merging
    the rows of runs made on several machines. Figures need matplotlib
    (``pip install skimbalance[plot]``); without it only the report is written.

    Parameters
    ----------
    out : str or path-like
        A folder written by :func:`run_study`: ``results.csv`` and
        ``study.json``, and ``curves.csv`` when learning curves were recorded.
    alpha : float, default=0.05
        Family-wise error rate of the report's comparisons.
    min_effect : float, default=0.005
        The smallest difference the report calls better or worse.

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
    ...                   repeats=1, out=out, quiet=True)
    ...     (Path(out) / "report.md").unlink()
    ...     results = write_outputs(out)
    ...     (Path(out) / "report.md").exists()
    True
    """
    out = Path(out)
    results, curves = read_results(out)
    settings = read_settings(out / SETTINGS)
    figures = []
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        warnings.warn("matplotlib is not installed: no figures written.")
    else:
        figures = plot_study(results, out, curves=curves)
    write_report(
        results, out / "report.md", curves=curves, settings=settings,
        figures=figures, alpha=alpha, min_effect=min_effect,
    )  # fmt: skip
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
    curves=True,
):
    """Yield the result rows of one (rho, mu, repeat, fold), skipping finished
    methods.

    The unit of work of :func:`run_study`, and of its joblib and Dask runs:
    draws the training set of the configuration, fits its whitening (if the
    dataset has one) on that training set, trains each method that
    thresholding does not derive from another, and scores every method on the
    test set. Thresholded variants score ROC AUC and PR AUC on the
    prior-divided scores, not renormalised (so they equal their inner model's:
    dividing a class's column by its prior keeps its ranking), and accuracy,
    MCC and balanced accuracy on their thresholded decisions.

    Parameters
    ----------
    config : tuple of (float, float, int, int)
        ``(rho, mu, repeat, fold)``; ``mu`` is NaN for linear imbalance, both
        NaN for natural imbalance; ``fold`` is 0 but in cross-validation.
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
    curves : bool, default=True
        Record learning curves of :data:`CURVE_METHODS`.

    Yields
    ------
    row : dict
        The columns of :data:`RESULT_COLUMNS`; ``curve``, the learning curve
        as dicts of the curve columns (empty for methods without one); and
        ``new_training``, True on the first row of each model trained.

    Examples
    --------
    >>> from skimbalance.study import load_study_data, run_configuration
    >>> rows = run_configuration(
    ...     (10, 0.5, 0, 0), load_study_data("digits"), imbalance="step",
    ...     methods=["ros"], max_iter=10, seed=0,
    ... )
    >>> row = next(rows)
    >>> row["method"], 0 <= row["roc_auc"] <= 1
    ('ros', True)
    """
    rho, mu = float(config[0]), float(config[1])
    repeat, fold = int(config[2]), int(config[3])
    seed_c = config_seed(seed, rho, mu, repeat * (data.folds or 1) + fold)
    X, y, X_test, y_test = data.splits(repeat, fold, seed)
    if imbalance != "natural":
        X, y = _imbalanced(data, imbalance, rho, mu, seed_c).fit_resample(X, y)
    drift = math.nan
    if data.whitener is not None:
        whitener = data.whitener().fit(X)
        X, X_test = whitener.transform(X), whitener.transform(X_test)
        drift = input_drift(X, X_test)
    wanted = [m for m in methods if _key(data.name, imbalance, *config, m) not in done]
    context = dict(
        net=net, max_iter=max_iter, seed=seed_c, device=device, precision=precision
    )
    for trained in trained_methods(wanted):
        start = time.perf_counter()
        model, curve, lr, selection = _fit(
            trained, X, y, X_test, y_test, lr_search, curves=curves, **context
        )
        seconds = time.perf_counter() - start
        variants = [(trained, model)] + [
            (name, threshold(model, X, y, target))
            for name, (base, target) in THRESHOLDED.items()
            if base == trained and name in wanted
        ]
        new_training = True
        for name, fitted in variants:
            if name not in wanted:
                continue
            yield {
                "dataset": data.name,
                "imbalance": imbalance,
                "rho": rho,
                "mu": mu,
                "repeat": repeat,
                "fold": fold,
                "method": name,
                "net": net,
                "lr": lr,
                "lr_selection": selection,
                "n_train": len(y),
                "n_test": len(y_test),
                **score_model(fitted, X_test, y_test),
                "train_accuracy": accuracy_score(y, fitted.predict(X)),
                "fit_seconds": round(seconds, 3),
                "seed": seed_c,
                "input_drift": drift,
                "curve": curve if name == trained else [],
                "new_training": new_training,
            }
            new_training = False


def score_model(model, X, y):
    """The scores of ``results.csv`` from one pass over the test set.

    ROC AUC and PR AUC rank the examples of each class by the model's
    scores: its probabilities, or for thresholding the probabilities divided
    by the priors without renormalising (the exponential of
    ``decision_function``), which rank each class as the inner model does.
    Accuracy, MCC and balanced accuracy score the decisions (the arg max).

    Parameters
    ----------
    model : fitted classifier
        With ``predict_proba``, or a ``PriorThresholdClassifier``.
    X, y : array-like
        The test set.

    Returns
    -------
    scores : dict
        ``roc_auc``, ``accuracy``, ``mcc``, ``pr_auc``, ``balanced_accuracy``.
    """
    classes = np.asarray(model.classes_)
    if isinstance(model, PriorThresholdClassifier):
        scores = np.asarray(model.decision_function(X), dtype=float)
        if scores.ndim == 1:  # two classes: log-odds shifted by a constant
            scores = np.nan_to_num(scores)
            decisions = classes[(scores > 0).astype(int)]
        else:
            decisions = classes[scores.argmax(axis=1)]
            scores = np.exp(scores - scores[np.isfinite(scores)].max())
    else:
        scores = np.asarray(model.predict_proba(X), dtype=float)
        decisions = classes[scores.argmax(axis=1)]
    return {
        "roc_auc": multiclass_roc_auc_score(y, scores, labels=classes),
        "accuracy": accuracy_score(y, decisions),
        "mcc": matthews_corrcoef(y, decisions),
        "pr_auc": macro_average_precision_score(y, scores, labels=classes),
        "balanced_accuracy": balanced_accuracy_score(y, decisions),
    }


def input_drift(X_train, X_test):
    """Mean norm of the test examples over that of the training examples, after
    preprocessing: 1 when whitening treats both alike; above 1 when it
    amplifies directions the training set barely spans."""

    def mean_norm(X):
        X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
        return float(np.sqrt((X**2).sum(axis=1)).mean())

    return round(mean_norm(X_test) / mean_norm(X_train), 4)


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
    method, X, y, X_test, y_test, lr_search, *, net, max_iter, seed, device,
    precision, curves,
):  # fmt: skip
    """``(model, curve, lr, how lr was chosen)`` of one trained method."""
    build = dict(
        net=net, max_iter=max_iter, seed=seed, device=device, precision=precision,
        curves=curves,
    )  # fmt: skip
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
        score = score_model(model, X_val, y_val)["roc_auc"]
        if best is None or score > best[0]:
            best = (score, model, curve, lr)
    if best is None:
        raise FloatingPointError(f"{method} diverged at every lr of {LR_GRID}.")
    return best[1], best[2], best[3], lr_search


def _fit_one(
    method, X, y, X_test, y_test, *, net, max_iter, seed, device, precision, lr,
    curves,
):  # fmt: skip
    network = make_network(
        net,
        max_iter=max_iter,
        random_state=seed,
        device=device,
        lr=lr,
        precision=precision,
    )
    model = build_method(method, network, random_state=seed)
    if not curves or method not in CURVE_METHODS:
        return model.fit(X, y), []
    return model, _fit_in_chunks(model, X, y, X_test, y_test, max_iter)


def _fit_in_chunks(model, X, y, X_test, y_test, max_iter):
    """Train ``max_iter`` updates in :data:`CURVE_POINTS` warm-start chunks under
    one schedule of ``max_iter``, recording between them the accuracy and the
    class-balanced accuracy on the (imbalanced) training set and the test set."""
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
        on_train, on_test = model.predict(X), model.predict(X_test)
        curve.append(
            {
                "iteration": done,
                "train_accuracy": accuracy_score(y, on_train),
                "train_balanced_accuracy": balanced_accuracy_score(y, on_train),
                "test_accuracy": accuracy_score(y_test, on_test),
                "test_balanced_accuracy": balanced_accuracy_score(y_test, on_test),
            }
        )
    network.set_params(warm_start=False, max_iter=max_iter, schedule_length=None)
    return curve


def _key(dataset, imbalance, rho, mu, repeat, fold, method):
    return key_of(
        {
            "dataset": dataset,
            "imbalance": imbalance,
            "rho": rho,
            "mu": mu,
            "repeat": repeat,
            "fold": fold,
            "method": method,
        }
    )


def _configs(data, imbalance, rhos, mus, repeats):
    """``(rho, mu, repeat, fold)`` of every configuration, in order."""
    units = data.units(repeats)
    if imbalance == "natural":
        return [(math.nan, math.nan, r, f) for r, f in units]
    mus = [math.nan] if imbalance == "linear" else [float(m) for m in mus]
    return [(float(rho), mu, r, f) for rho in rhos for mu in mus for r, f in units]


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
    mode,
    resize,
    memory_budget,
    alpha,
    min_effect,
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
    if repeats is not None and not (isinstance(repeats, Integral) and repeats >= 1):
        raise ValueError(
            f"repeats must be None or an int >= 1; got repeats={repeats!r}."
        )
    for name, value, low in (
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
    if mode not in MODES:
        raise ValueError(f"mode must be one of {list(MODES)}; got mode={mode!r}.")
    if resize not in RESIZE_POLICIES:
        raise ValueError(
            f"resize must be one of {list(RESIZE_POLICIES)}; got resize={resize!r}."
        )
    if memory_budget is not None and not (
        isinstance(memory_budget, Integral) and memory_budget >= 0
    ):
        raise ValueError(
            "memory_budget must be None or a number of bytes >= 0; got "
            f"memory_budget={memory_budget!r}."
        )
    for name, value, valid in (
        ("alpha", alpha, lambda v: 0 < v < 1),
        ("min_effect", min_effect, lambda v: 0 <= v < 1),
    ):
        if not (isinstance(value, Real) and not isinstance(value, bool)
                and math.isfinite(value) and valid(value)):  # fmt: skip
            expected = "in (0, 1)" if name == "alpha" else "in [0, 1)"
            raise ValueError(
                f"{name} must be a number {expected}; got {name}={value!r}."
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
    """A bar over the models to train; its rate is the mean over the run so
    far (``smoothing=0``), as every model costs about the same."""
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=quiet, unit="model", desc="study",
                smoothing=0, file=sys.stderr)  # fmt: skip


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
