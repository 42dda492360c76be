"""``report.md``: what was run, tables of scores, the verdicts, the figures and
what to use. It only renders: the rules are in :mod:`._conclusions`, the names
in :mod:`._methods`, the configurations in :mod:`._results`."""

import os
from pathlib import Path

import numpy as np

from ._conclusions import (
    RANKED_METRICS,
    TIED,
    check_columns,
    check_conclusions,
    pct,
    rank_methods,
    signed,
)
from ._methods import THRESHOLDED, method_order
from ._results import CONFIG, describe_config

_METRICS = {
    "roc_auc": "ROC AUC",
    "accuracy": "accuracy",
    "mcc": "MCC",
    "pr_auc": "PR AUC",
    "balanced_accuracy": "balanced accuracy",
}
#: Where the user guide says which method to use.
CHOOSING = "docs/user_guide/choosing.md"


def _cell(mean, std):
    if np.isnan(mean):
        return ""
    return pct(mean) if np.isnan(std) else f"{pct(mean)} ± {pct(std)}"


def _values(series):
    values = sorted(v for v in series.dropna().unique())
    return ", ".join(f"{v:g}" for v in values) if values else "-"


def _names(series):
    return ", ".join(sorted(series.astype(str).unique()))


def _natural(results):
    return (results["imbalance"] == "natural").all()


def _header(results, settings):
    settings = settings or {}
    natural = _natural(results)
    counts = results.groupby(CONFIG + ["method"], dropna=False).size()
    repeats = (
        f"{counts.min()}"
        if counts.min() == counts.max()
        else (f"{counts.min()} to {counts.max()} (varies by configuration)")
    )
    methods = method_order(results["method"].unique())
    lines = ["# skimbalance study report", ""]
    if natural:
        lines += [
            "Which imbalance method for this data: every method of the protocol of "
            "Buda, Maki & Mazurowski (2018) trained on the data as it is (no "
            "artificial imbalance), scored on held-out folds.",
            "",
            f"- data: {_names(results['dataset'])}",
        ]
        if settings.get("class_counts"):
            counts_text = ", ".join(
                f"{k}: {v}" for k, v in settings["class_counts"].items()
            )
            lines.append(f"- examples per class: {counts_text}")
        lines.append(
            f"- folds: {repeats} ({settings.get('evaluation', 'cross-validation')})"
        )
    else:
        lines += [
            'A reproduction of Buda, Maki & Mazurowski (2018), "A systematic study of '
            'the class imbalance problem in convolutional neural networks".',
            "",
            f"- datasets: {_names(results['dataset'])}",
            f"- imbalance: {_names(results['imbalance'])}",
            f"- rho: {_values(results['rho'])}",
            f"- mu (step imbalance): {_values(results['mu'])}",
            f"- repeats per configuration and method: {repeats}",
        ]
    lines.append(f"- methods ({len(methods)}): {', '.join(methods)}")
    nets = results["net"].dropna().unique() if "net" in results.columns else []
    if len(nets):
        lines.append(f"- network: {', '.join(map(str, nets))}")
    if settings.get("preprocessing"):
        lines.append(f"- preprocessing: {settings['preprocessing']}")
    if "max_iter" in results.columns and results["max_iter"].notna().any():
        settings = {**settings, "max_iter": _values(results["max_iter"])}
    if settings.get("max_iter") is not None:
        lines.append(
            f"- budget: {settings['max_iter']} weight updates (max_iter) per model"
        )
    if "lr_selection" in results.columns and results["lr_selection"].notna().any():
        chosen = ", ".join(
            f"{s}: {_values(results.loc[results['lr_selection'] == s, 'lr'])}"
            for s in sorted(results["lr_selection"].dropna().unique())
        )
        lines.append(f"- base learning rate (how it was chosen: values): {chosen}")
    trained = results[~results["method"].isin(list(THRESHOLDED))]
    lines.append(
        f"- scored models: {len(results)}, of which {len(trained)} trained (the"
        " thresholded variants post-process a trained model)"
    )
    if "fit_seconds" in results.columns and trained["fit_seconds"].notna().any():
        lines.append(
            f"- total training time: {trained['fit_seconds'].sum() / 60:.1f} min"
        )
    spread = "folds" if natural else "repeats"
    lines += [
        "",
        f"Scores are in percent (x 100): mean ± standard deviation over {spread} "
        f"(mean only for a single one); n is the number of {spread}. ROC AUC is "
        "the paper's multi-class ROC AUC (mean of one-vs-rest AUCs), computed from "
        "what `predict_proba` returns. The best mean ROC AUC of each table is in "
        "bold.",
        "",
    ]
    return lines


def _tables(results):
    metrics = [m for m in _METRICS if m in results.columns]
    stats = results.groupby(CONFIG + ["method"], dropna=False)[metrics].agg(
        ["mean", "std", "count"]
    )
    lines = ["## Results", ""]
    for config, table in stats.groupby(level=CONFIG, dropna=False, sort=True):
        table = table.droplevel(CONFIG)
        table = table.loc[method_order(table.index)]
        best = table[("roc_auc", "mean")].max()
        lines += [f"### {describe_config(*config)}", ""]
        lines.append(f"| method | n | {' | '.join(_METRICS[m] for m in metrics)} |")
        lines.append("|---|--:|" + "--:|" * len(metrics))
        for method, row in table.iterrows():
            cells = [_cell(row[(m, "mean")], row[(m, "std")]) for m in metrics]
            if row[("roc_auc", "mean")] == best:
                cells[0] = f"**{cells[0]}**"
            n = int(row[("roc_auc", "count")])
            lines.append(f"| {method} | {n} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _curve_lines(curves):
    """Final train/test accuracy and gap per method, from ``curves.csv``."""
    end = curves["iteration"].max()
    mid_iter = curves.loc[curves["iteration"] >= end / 2, "iteration"].min()
    rows = []
    for method in method_order(curves["method"].unique()):
        at_end = curves[(curves["method"] == method) & (curves["iteration"] == end)]
        half = curves[(curves["method"] == method) & (curves["iteration"] == mid_iter)]
        gap_end = (at_end["train_accuracy"] - at_end["test_accuracy"]).mean()
        gap_mid = (half["train_accuracy"] - half["test_accuracy"]).mean()
        rows.append(
            f"| {method} | {pct(at_end['train_accuracy'].mean())} | "
            f"{pct(at_end['test_accuracy'].mean())} | {pct(gap_mid)} | {pct(gap_end)} |"
        )
    return [
        "## Train and test accuracy over iterations",
        "",
        f"From `curves.csv` (means over its configurations and repeats); the gap "
        f"is train - test accuracy at iteration {mid_iter:g} (middle) and {end:g} "
        "(end).",
        "",
        "| method | train accuracy | test accuracy | gap (middle) | gap (end) |",
        "|---|--:|--:|--:|--:|",
        *rows,
        "",
    ]


def _conclusion_lines(conclusions):
    lines = [
        "## The paper's conclusions",
        "",
        "Each conclusion of the paper that a reproduction must show, as a rule on "
        "the mean scores above. A difference counts only when it exceeds the "
        "noise: the repeat-to-repeat standard deviation of the two scores, and at "
        f"least {100 * TIED['roc_auc']:.1f} points (all a single repeat can "
        "show). Configurations with rho 1 (balanced) are left out of the "
        'comparisons of methods. "not enough data" means the methods or parameter '
        "values a rule needs were not run.",
        "",
        "| # | conclusion | verdict |",
        "|--:|---|---|",
    ]
    lines += [
        f"| {c['number']} | {c['statement']} | {c['verdict']} |" for c in conclusions
    ]
    lines.append("")
    for c in conclusions:
        evidence = [c["evidence"]] if isinstance(c["evidence"], str) else c["evidence"]
        lines += [
            f"### {c['number']}. {c['statement']}",
            "",
            f"**Verdict: {c['verdict']}.**",
            "",
            f"Rule: {c['rule']}",
            "",
            *[f"- {e}" for e in evidence],
            "",
        ]
    return lines


def _ranking_lines(results):
    ranking = rank_methods(results)
    metrics = [m for m in RANKED_METRICS if m in results.columns]
    best = ranking[0]
    tied = [r["method"] for r in ranking[1:] if not r["worse"]]
    worse = [r["method"] for r in ranking[1:] if r["worse"]]
    lines = [
        "## Which method for this data",
        "",
        f"Ranked by mean ROC AUC over the folds. A method is worse than the best "
        f"only when its fold-by-fold difference from it exceeds the fold-to-fold "
        f"noise (the standard deviation of the two over folds, at least "
        f"{100 * TIED['roc_auc']:.1f} points); smaller differences are ties.",
        "",
        "| rank | method | "
        + " | ".join(_METRICS[m] for m in metrics)
        + " | behind the best | beyond the noise |",
        "|--:|---|" + "--:|" * len(metrics) + "--:|---|",
    ]
    for rank, r in enumerate(ranking, 1):
        cells = [_cell(r[m], r[f"{m}_std"]) for m in metrics]
        behind = "" if rank == 1 else f"{signed(r['difference'])} ± {pct(r['noise'])}"
        verdict = "" if rank == 1 else ("yes" if r["worse"] else "no (tie)")
        lines.append(
            f"| {rank} | {r['method']} | {' | '.join(cells)} | {behind} | {verdict} |"
        )
    lines += [
        "",
        f"**For this data: {best['method']}** has the best mean ROC AUC "
        f"({_cell(best['roc_auc'], best['roc_auc_std'])}).",
    ]
    if tied:
        lines.append(
            f"Within the fold-to-fold noise of it, so as good on this evidence: "
            f"{', '.join(tied)}. Prefer the simplest or cheapest of them."
        )
    if worse:
        lines.append(f"Worse by more than the noise: {', '.join(worse)}.")
    lines.append("")
    return lines + _other_goal_lines(results, metrics)


def _other_goal_lines(results, metrics):
    """The best method by each of the other scores: the answer depends on the goal."""
    others = [m for m in metrics if m != "roc_auc"]
    if not others:
        return []
    lines = [
        "When decisions matter more than ranking, judge by another score; the best "
        "method by each, and those within the noise of it:",
        "",
        "| score | best | as good (within the noise) |",
        "|---|---|---|",
    ]
    for metric in others:
        ranking = rank_methods(results, metric)
        tied = [r["method"] for r in ranking[1:] if not r["worse"]]
        best = ranking[0]
        lines.append(
            f"| {_METRICS[metric]} | {best['method']} "
            f"({_cell(best[metric], best[f'{metric}_std'])}) | "
            f"{', '.join(tied) if tied else 'none'} |"
        )
    return lines + [""]


def _figure_lines(figures, folder):
    if not figures:
        return []
    lines = ["## Figures", ""]
    for path in figures:
        name = os.path.relpath(path, folder)
        lines.append(f"- [{Path(name).stem}]({name})")
    return lines + [""]


def _use_lines(results, conclusions):
    text = ""
    if conclusions is not None:
        held = [str(c["number"]) for c in conclusions if c["verdict"] == "holds"]
        text = (
            f"Of the paper's conclusions, {', '.join(held)} hold here. "
            if held
            else "None of the paper's conclusions holds here. "
        )
    text += (
        "The user guide's page *Which method should I use?* "
        f"(`{CHOOSING}` in the skimbalance repository, `user_guide/choosing.html` "
        "in the built documentation) turns the paper's conclusions and our MNIST "
        "measurements into advice per situation."
    )
    if not _natural(results):
        text += (
            " To rank the methods on data of your own, run "
            "`skimbalance study --dataset PATH --imbalance natural`."
        )
    return ["## What to use", "", text, ""]


def write_report(results, path, *, curves=None, settings=None, figures=()):
    """Write ``report.md``: what was run, score tables, verdicts, figures, advice.

    For the paper's protocol (step or linear imbalance) the verdicts are the
    five conclusions (:func:`check_conclusions`); for a user's data as it is
    (``imbalance="natural"``) the ranking of the methods
    (:func:`rank_methods`). Both count a difference only beyond the noise.

    Parameters
    ----------
    results : pandas.DataFrame
        The rows of ``results.csv`` (one per fitted model).
    path : str or path-like
        The Markdown file to write; its folder must exist.
    curves : pandas.DataFrame, default=None
        The rows of ``curves.csv``; adds a table of train and test accuracy.
    settings : dict, default=None
        The study's settings (``study.json``): its budget, network,
        preprocessing and class counts are reported.
    figures : sequence of path-like, default=()
        The figures to list and link (paths, e.g. from :func:`plot_study`).

    Returns
    -------
    path : pathlib.Path
        The file written.

    See Also
    --------
    check_conclusions, rank_methods : The verdicts.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from skimbalance.study import write_report
    >>> results = pd.DataFrame({
    ...     "dataset": "digits", "imbalance": "step", "rho": [10.0, 10.0, 100.0, 100.0],
    ...     "mu": 0.5, "method": ["baseline", "ros"] * 2,
    ...     "roc_auc": [0.99, 0.995, 0.95, 0.985]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     text = write_report(results, Path(folder) / "report.md").read_text()
    >>> table = text.split("### digits, step, rho 100, mu 0.5")[1].split("##")[0]
    >>> print(table.strip())
    | method | n | ROC AUC |
    |---|--:|--:|
    | baseline | 1 | 95.00 |
    | ros | 1 | **98.50** |
    """
    check_columns(results)
    path = Path(path)
    lines = _header(results, settings) + _tables(results)
    if curves is not None and len(curves):
        lines += _curve_lines(curves)
    conclusions = None
    if _natural(results):
        lines += _ranking_lines(results)
    else:
        conclusions = check_conclusions(results)
        lines += _conclusion_lines(conclusions)
    lines += _figure_lines(figures, path.parent)
    lines += _use_lines(results, conclusions)
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
