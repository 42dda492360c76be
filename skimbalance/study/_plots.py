"""PNG plots in the shape of the paper's Figures 3 to 8.

Figures are drawn with matplotlib's object-oriented API on ``Figure``
objects (the Agg renderer, no pyplot, no display, no global backend change);
matplotlib is imported inside :func:`plot_study` only, so the rest of the
study works without it.
"""

import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ._conclusions import test_fraction
from ._methods import PAPER_METHODS, method_order, ratio_method
from ._results import CONFIG, describe_config, missing, write_atomically

_FIGSIZE = (7, 4.5)
_DPI = 110
#: Classes of the datasets the study knows, for "number of minority classes".
_N_CLASSES = {"digits": 10, "mnist": 10, "cifar10": 10}
_LABELS = {"roc_auc": "multi-class ROC AUC (%)", "accuracy": "accuracy (%)"}

#: Colour, line style and marker of each method, the same in every figure: the
#: oversampling family in blues, undersampling in reds, thresholded variants
#: dashed, two-phase dash-dotted, and the additions dotted.
STYLES = {
    "baseline": ("black", "-", "o"),
    "ros": ("tab:blue", "-", "s"),
    "rus": ("tab:red", "-", "v"),
    "two_phase_ros": ("tab:cyan", "-.", "D"),
    "two_phase_rus": ("tab:pink", "-.", "d"),
    "thresholding": ("dimgray", "--", "o"),
    "ros_thresholding": ("navy", "--", "s"),
    "rus_thresholding": ("darkred", "--", "v"),
    "class_aware": ("tab:green", ":", "^"),
    "focal": ("tab:olive", ":", "<"),
    "class_balanced": ("tab:brown", ":", ">"),
    "logit_adjusted": ("tab:purple", ":", "P"),
    "ldam": ("tab:orange", ":", "X"),
    "downsample_upweight": ("teal", ":", "*"),
    "thresholding_em": ("darkgray", ":", "h"),
}
_OTHER_COLOURS = (
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
)  # fmt: skip


def method_style(method):
    """``(colour, linestyle, marker)`` of a method; stable for unknown names."""
    if method in STYLES:
        return STYLES[method]
    ratio = ratio_method(method)
    if ratio is not None:
        return STYLES[ratio[0]]
    colour = _OTHER_COLOURS[zlib.crc32(str(method).encode()) % len(_OTHER_COLOURS)]
    return colour, "--", "."


def _summary(frame, metric, keys, test_fraction=0.0):
    """Mean, std, count and the half-width ``ci`` of the 95 % interval of the
    mean of ``metric`` over repeats (t quantile; NaN for a single one; with
    the Nadeau-Bengio ``test_fraction`` for folds), one row per ``keys``."""
    summary = frame.groupby(keys, dropna=False)[metric].agg(["mean", "std", "count"])
    summary = summary.reset_index()
    n = summary["count"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        quantile = np.where(n > 1, stats.t.ppf(0.975, np.maximum(n - 1, 1)), np.nan)
        summary["ci"] = quantile * summary["std"] * np.sqrt(1 / n + test_fraction)
    return summary


def _new_figure(figsize=_FIGSIZE):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, dpi=_DPI)


def _draw(ax, x, mean, ci, *, label, colour, linestyle, marker):
    """One line of means (in percent) with error bars: the 95 % interval of
    each mean (none for a single repeat)."""
    x, mean, ci = (np.asarray(a, dtype=float) for a in (x, mean, ci))
    yerr = 100 * np.nan_to_num(ci) if np.isfinite(ci).any() else None
    ax.errorbar(x, 100 * mean, yerr=yerr, color=colour, linestyle=linestyle,
                marker=marker, markersize=4, linewidth=1.4, elinewidth=0.9,
                capsize=2.5, label=label)  # fmt: skip


def _log_axis(ax, ticks):
    from matplotlib.ticker import FixedLocator, NullLocator

    ticks = sorted(set(float(t) for t in ticks))
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{t:g}" for t in ticks])


def _finish(fig, ax, title, path):
    """Title, grid, legend right of the axes, and save."""
    ax.set_title(title, fontsize="medium")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
              frameon=False, borderaxespad=0.0)  # fmt: skip
    return _save(fig, path)


def _save(fig, path):
    """Save a PNG whole or not at all (written beside it, then renamed)."""
    write_atomically(
        path, lambda f: fig.savefig(f, format="png", dpi=_DPI, bbox_inches="tight"),
        text=False,
    )  # fmt: skip
    return path


def _methods_lines(ax, summary, x):
    """One line per method of ``summary`` against its column ``x``."""
    for method in method_order(summary["method"].unique()):
        rows = summary[summary["method"] == method].sort_values(x)
        colour, linestyle, marker = method_style(method)
        _draw(ax, rows[x], rows["mean"], rows["ci"], label=method, colour=colour,
              linestyle=linestyle, marker=marker)  # fmt: skip


#: Methods drawn beside the additions in their own figures, for reference.
_REFERENCES = ("baseline", "ros")


def _method_sets(summary):
    """``(file-name suffix, title suffix, rows)``: the paper's eight methods in
    the paper's figures; any other methods in a figure of their own, beside
    the baseline and ROS."""
    paper = summary["method"].isin(PAPER_METHODS)
    sets = []
    if paper.any():
        sets.append(("", "", summary[paper]))
    if not paper.all():
        others = summary[~paper | summary["method"].isin(_REFERENCES)]
        sets.append(("_added_methods", " (methods added to the paper's)", others))
    return sets


def _dataset_tag(dataset, datasets):
    return f"_{dataset}" if len(datasets) > 1 else ""


def _vs_rho(results, out_dir, metric, imbalance, name):
    """Figures 3, 5 and 6: ``metric`` against rho, one file per dataset (and mu);
    the added methods in files of their own."""
    frame = results[(results["imbalance"] == imbalance)]
    frame = frame[frame["method"].map(ratio_method).isna()]
    if frame.empty or metric not in frame.columns:
        return []
    summary = _summary(frame, metric, CONFIG + ["method"])
    datasets = sorted(summary["dataset"].unique())
    paths = []
    for (dataset, mu), group in summary.groupby(["dataset", "mu"], dropna=False):
        if group["rho"].nunique() < 2:
            continue
        title = f"{dataset}, {imbalance} imbalance"
        stem = name
        if not missing(mu):
            title += f", mu = {mu:g}"
            n_classes = _N_CLASSES.get(dataset)
            if n_classes:
                title += f" ({round(mu * n_classes)} of {n_classes} minority classes)"
            stem += f"_mu{mu:g}"
        for suffix, what, rows in _method_sets(group):
            fig = _new_figure()
            ax = fig.add_subplot()
            _methods_lines(ax, rows, "rho")
            _log_axis(ax, rows["rho"])
            ax.set_xlabel("imbalance ratio rho (log scale)")
            ax.set_ylabel(_LABELS[metric])
            path = out_dir / f"{stem}{suffix}{_dataset_tag(dataset, datasets)}.png"
            paths.append(_finish(fig, ax, title + what, path))
    return paths


def _vs_minority(results, out_dir):
    """Figure 4: ROC AUC against the number of minority classes, per rho; the
    added methods in files of their own."""
    frame = results[(results["imbalance"] == "step") & (results["rho"] > 1)]
    frame = frame[frame["method"].map(ratio_method).isna()]
    if frame.empty:
        return []
    summary = _summary(frame, "roc_auc", CONFIG + ["method"])
    datasets = sorted(summary["dataset"].unique())
    paths = []
    for (dataset, rho), group in summary.groupby(["dataset", "rho"]):
        if group["mu"].nunique() < 2:
            continue
        n_classes = _N_CLASSES.get(dataset)
        group = group.assign(
            x=(group["mu"] * n_classes).round().astype(int)
            if n_classes
            else group["mu"]
        )
        tag = _dataset_tag(dataset, datasets)
        for suffix, what, rows in _method_sets(group):
            fig = _new_figure()
            ax = fig.add_subplot()
            if n_classes:
                ax.set_xlabel(f"number of minority classes (of {n_classes})")
                ax.set_xticks(sorted(rows["x"].unique()))
            else:
                ax.set_xlabel("fraction of minority classes mu")
            _methods_lines(ax, rows, "x")
            ax.set_ylabel(_LABELS["roc_auc"])
            title = f"{dataset}, step imbalance, rho = {rho:g}{what}"
            path = out_dir / f"fig4_auc_vs_minority_classes_rho{rho:g}{suffix}{tag}.png"
            paths.append(_finish(fig, ax, title, path))
    return paths


def _partial_ratios(results, out_dir):
    """Figure 7: ROC AUC against the ratio reached by partial ROS and RUS."""
    ratios = results["method"].map(ratio_method)
    if ratios.isna().all():
        return []
    summary = _summary(results, "roc_auc", CONFIG + ["method"])
    datasets = sorted(summary["dataset"].unique())
    paths = []
    for config, group in summary.groupby(CONFIG, dropna=False):
        parsed = group["method"].map(ratio_method)
        if parsed.isna().all():
            continue
        dataset, imbalance, rho, mu = config
        fig = _new_figure()
        ax = fig.add_subplot()
        ticks = []
        for kind, label in (("ros", "oversampling"), ("rus", "undersampling")):
            mask = parsed.map(lambda p, kind=kind: p is not None and p[0] == kind)
            rows = group[mask].assign(r=[p[1] for p in parsed[mask]])
            full = group[group["method"] == kind].assign(r=1.0)
            if len(full):
                rows = pd.concat([rows[rows["r"] != 1.0], full])
            if rows.empty:
                continue
            rows = rows.sort_values("r")
            ticks += list(rows["r"])
            colour, linestyle, marker = method_style(kind)
            _draw(ax, rows["r"], rows["mean"], rows["ci"],
                  label=f"{label} to ratio r", colour=colour, linestyle=linestyle,
                  marker=marker)  # fmt: skip
        base = group[group["method"] == "baseline"]
        if len(base):
            ax.axhline(100 * base["mean"].iloc[0], color=STYLES["baseline"][0],
                       linestyle="--", linewidth=1.2,
                       label=f"baseline (ratio {rho:g})")  # fmt: skip
        _log_axis(ax, ticks)
        ax.set_xlabel("imbalance ratio r after resampling (1 = fully balanced)")
        ax.set_ylabel(_LABELS["roc_auc"])
        title = f"Partial resampling: {describe_config(*config)}"
        stem = f"fig7_partial_ratios_rho{rho:g}"
        stem += "_linear" if missing(mu) else f"_mu{mu:g}"
        path = out_dir / f"{stem}{_dataset_tag(dataset, datasets)}.png"
        paths.append(_finish(fig, ax, title, path))
    return paths


def _train_test(curves, out_dir):
    """Figure 8: train and test accuracy over iterations for baseline, ROS, RUS
    (class-balanced on both sides when the curves have it)."""
    methods = [m for m in ("baseline", "ros", "rus") if m in set(curves["method"])]
    if not methods:
        return []
    balanced = {"train_balanced_accuracy", "test_balanced_accuracy"} <= set(
        curves
    ) and curves["train_balanced_accuracy"].notna().any()
    lines = (
        (("train_balanced_accuracy", "-", "train (class-balanced)"),
         ("test_balanced_accuracy", "--", "test (class-balanced)"))
        if balanced
        else (("train_accuracy", "-", "train"), ("test_accuracy", "--", "test"))
    )  # fmt: skip
    curves = curves[curves["method"].isin(methods)]
    configs = curves.groupby(CONFIG, dropna=False).size().index
    paths = []
    for config in configs:
        dataset, imbalance, rho, mu = config
        mask = np.ones(len(curves), dtype=bool)
        for key, value in zip(CONFIG, config):
            column = curves[key]
            mask &= column.isna() if missing(value) else column == value
        frame = curves[mask]
        present = [m for m in methods if m in set(frame["method"])]
        fig = _new_figure((3.2 * len(present) + 1.0, 4.0))
        axes = fig.subplots(1, len(present), sharey=True, squeeze=False)[0]
        for ax, method in zip(axes, present):
            rows = frame[frame["method"] == method]
            colour = method_style(method)[0]
            for column, linestyle, label in lines:
                points = _summary(rows, column, ["iteration"]).sort_values("iteration")
                _draw(ax, points["iteration"], points["mean"], points["ci"],
                      label=label, colour=colour, linestyle=linestyle,
                      marker="")  # fmt: skip
            ax.set_title(method, fontsize="medium", color=colour)
            ax.set_xlabel("iteration")
            ax.grid(True, alpha=0.3)
            ax.legend(loc="lower right", fontsize="small", frameon=False)
        axes[0].set_ylabel(_LABELS["accuracy"])
        fig.suptitle(f"Train and test accuracy: {describe_config(*config)}",
                     fontsize="medium")  # fmt: skip
        fig.tight_layout()
        stem = "fig8_train_test_accuracy"
        if len(configs) > 1:
            stem += f"_{dataset}_{imbalance}_rho{rho:g}"
            stem += "" if missing(mu) else f"_mu{mu:g}"
        paths.append(_save(fig, out_dir / f"{stem}.png"))
    return paths


def _ranking(results, out_dir):
    """The natural-imbalance ranking: mean ROC AUC of each method over the
    folds and repeats, with its 95 % interval (Nadeau-Bengio corrected)."""
    frame = results[results["imbalance"] == "natural"]
    if frame.empty:
        return []
    summary = _summary(frame, "roc_auc", ["method"], test_fraction(frame))
    summary = summary.sort_values("mean")
    fig = _new_figure((7, 0.45 * len(summary) + 1.5))
    ax = fig.add_subplot()
    colours = [method_style(m)[0] for m in summary["method"]]
    spread = 100 * summary["ci"].fillna(0)
    ax.barh(summary["method"], 100 * summary["mean"], xerr=spread, color=colours,
            alpha=0.8, capsize=3)  # fmt: skip
    low = 100 * (summary["mean"] - summary["ci"].fillna(0)).min()
    ax.set_xlim(max(0, low - 2), 100)
    ax.set_xlabel(_LABELS["roc_auc"] + ", mean and 95 % interval")
    ax.set_title(f"Which method for {', '.join(sorted(frame['dataset'].unique()))}",
                 fontsize="medium")  # fmt: skip
    ax.grid(True, axis="x", alpha=0.3)
    return [_save(fig, out_dir / "fig_ranking_natural.png")]


def plot_study(results, out_dir, *, curves=None):
    """Write the paper's Figures 3 to 8 as PNG files, those the data allow.

    - ``fig3_auc_vs_rho_step_mu<mu>.png``: ROC AUC against rho (log axis),
      step imbalance, one file per mu with two or more rho values.
    - ``fig4_auc_vs_minority_classes_rho<rho>.png``: ROC AUC against the
      number of minority classes ``round(mu * n_classes)``, one file per
      rho > 1 with two or more mu values.
    - ``fig5_auc_vs_rho_linear.png``: ROC AUC against rho, linear imbalance.
    - ``fig6_accuracy_vs_rho_mu<mu>.png``: as Figure 3, for accuracy.
    - ``fig7_partial_ratios_rho<rho>_mu<mu>.png``: ROC AUC against the ratio
      ``r`` of ``ros_ratio_<r>`` and ``rus_ratio_<r>`` (``r = 1`` is ``ros``
      or ``rus``), with the baseline as a horizontal line.
    - ``fig8_train_test_accuracy.png``: train and test accuracy over the
      iterations of ``curves`` for baseline, ROS and RUS.
    - ``fig_ranking_natural.png``: for data studied as it is
      (``imbalance="natural"``), the methods' ROC AUC over the folds.

    Figures 3, 4, 5 and 6 draw the paper's eight methods; other methods run
    (the additions) get files of their own, ending in ``_added_methods``,
    beside the baseline and ROS. Lines are means over repeats with error bars
    of the 95 % interval of each mean; each method keeps its colour
    (:data:`STYLES`) in every figure. Each file is written whole or not at
    all. With several
    datasets in ``results`` (or configurations in ``curves``), file names end
    in the dataset (or configuration).

    Parameters
    ----------
    results : pandas.DataFrame
        The rows of ``results.csv``.
    out_dir : str or path-like
        Folder for the PNG files; created when missing.
    curves : pandas.DataFrame, default=None
        The rows of ``curves.csv``, for Figure 8.

    Returns
    -------
    paths : list of pathlib.Path
        The files written, sorted by name (numbers in order: rho 2 before 10).

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from skimbalance.study import plot_study
    >>> results = pd.DataFrame({
    ...     "dataset": "digits", "imbalance": "step", "rho": [10.0, 10.0, 100.0, 100.0],
    ...     "mu": 0.5, "method": ["baseline", "ros"] * 2,
    ...     "roc_auc": [0.99, 0.995, 0.95, 0.985], "accuracy": [0.9, 0.95, 0.7, 0.92]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [path.name for path in plot_study(results, folder)]
    ['fig3_auc_vs_rho_step_mu0.5.png', 'fig6_accuracy_vs_rho_mu0.5.png']
    """
    import matplotlib  # noqa: F401  (fails here, clearly, when it is missing)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = _vs_rho(results, out_dir, "roc_auc", "step", "fig3_auc_vs_rho_step")
    paths += _vs_minority(results, out_dir)
    paths += _vs_rho(results, out_dir, "roc_auc", "linear", "fig5_auc_vs_rho_linear")
    paths += _vs_rho(results, out_dir, "accuracy", "step", "fig6_accuracy_vs_rho")
    paths += _partial_ratios(results, out_dir)
    if curves is not None and len(curves):
        paths += _train_test(curves, out_dir)
    paths += _ranking(results, out_dir)
    return sorted(paths, key=_natural_order)


def _natural_order(path):
    """Sort key putting ``rho2`` before ``rho10``: numbers compare as numbers."""
    parts = re.split(r"(\d+(?:\.\d+)?)", path.name)
    return [float(part) if i % 2 else part for i, part in enumerate(parts)]
