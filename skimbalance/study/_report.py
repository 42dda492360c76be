"""``report.md``: what was run, tables of scores, the verdicts, the warnings,
the figures and what to use. It only renders: the rules are in
:mod:`._conclusions`, the statistics in :mod:`._compare`, the warnings in
:mod:`._warnings`, the names in :mod:`._methods`, the configurations in
:mod:`._results`."""

import os
from pathlib import Path

import numpy as np

from ._compare import ALPHA, MIN_EFFECT, TOO_FEW
from ._conclusions import (
    RANKED_METRICS,
    check_columns,
    check_conclusions,
    pct,
    rank_methods,
    test_fraction,
    units,
)
from ._methods import THRESHOLDED, method_order
from ._results import CONFIG, describe_config, write_atomically
from ._warnings import flags_by_method, warnings_of

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


def _units_text(results):
    """``"3 repeats"`` or ``"2 repeats x 3 folds = 6 units"``, the fewest of
    any configuration and method."""
    keys = units(results)
    counts = results.groupby(CONFIG + ["method"], dropna=False)[keys[0]].count()
    low, high = int(counts.min()), int(counts.max())
    n = f"{low}" if low == high else f"{low} to {high} (varies by configuration)"
    if "fold" in results.columns and results["fold"].nunique() > 1:
        repeats, folds = results["repeat"].nunique(), results["fold"].nunique()
        return f"{n} paired units ({repeats} repeat(s) x {folds} folds)"
    return f"{n} repeat(s)"


def _header(results, settings, alpha, min_effect):
    settings = settings or {}
    natural = _natural(results)
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
        if settings.get("test_class_counts"):
            counts_text = ", ".join(
                f"{k}: {v}" for k, v in settings["test_class_counts"].items()
            )
            lines.append(f"- fewest test examples per class in a fold: {counts_text}")
        lines.append(
            f"- evaluation: {settings.get('evaluation', 'cross-validation')}; "
            f"{_units_text(results)}"
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
            f"- repeats per configuration and method: {_units_text(results)}",
        ]
    lines.append(f"- methods ({len(methods)}): {', '.join(methods)}")
    nets = results["net"].dropna().unique() if "net" in results.columns else []
    if len(nets):
        lines.append(f"- network: {', '.join(map(str, nets))}")
    images = settings.get("images")
    if images:
        height, width = images["image_size"]
        channels = images["channels"]
        resize = {
            "none": "kept at their size",
            "squash": "resized by squashing (aspect ratio not kept)",
            "pad": "resized keeping the aspect ratio, padded with black",
            "crop": "resized keeping the aspect ratio, cut at the centre",
        }.get(images.get("resize"), images.get("resize"))
        lines.append(
            f"- images: {height}x{width}, mode {images['mode']} ({channels} "
            f"channel{'s' if channels > 1 else ''}), {resize}"
        )
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
    spread = "folds and repeats" if natural else "repeats"
    lines += [
        "",
        f"Scores are in percent (x 100): mean ± standard deviation over {spread} "
        f"(mean only for a single one); n is the number of {spread}. ROC AUC is "
        "the paper's multi-class ROC AUC (mean of one-vs-rest AUCs); thresholded "
        "variants are scored on their prior-divided scores, which rank each class "
        "as their model does, so their ROC AUC is their model's. The best mean "
        "ROC AUC of each table is in bold.",
        "",
        _statistics_text(results, alpha, min_effect),
        "",
    ]
    return lines


def _statistics_text(results, alpha, min_effect):
    corrected = test_fraction(results) > 0
    how = (
        "the corrected resampled t of Nadeau & Bengio (2003), whose variance "
        "term (1/J + n_test/n_train) accounts for folds that share most of their "
        "training images"
        if corrected
        else "the paired t over the repeats, which are independent draws of the "
        "training set and seeds scored on one test set"
    )
    return (
        f"Every verdict compares two methods unit by unit (paired differences): "
        f"the mean difference and its {100 * (1 - alpha):.0f} % interval (for that "
        f"comparison alone) by {how}. The p-values of the comparisons behind one "
        f"verdict are Holm-adjusted (family-wise error {alpha:g}) and the verdict "
        "follows the adjusted p-value, so an interval that excludes zero can still "
        'read "cannot tell" among many comparisons; a difference below '
        f"{100 * min_effect:.2f} points is never called better or worse. With one "
        f'unit there is no interval: "{TOO_FEW}".'
    )


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
    """Train and test accuracy, and the class-balanced gap, per method."""
    end = curves["iteration"].max()
    mid_iter = curves.loc[curves["iteration"] >= end / 2, "iteration"].min()
    balanced = {"train_balanced_accuracy", "test_balanced_accuracy"} <= set(
        curves
    ) and curves["train_balanced_accuracy"].notna().any()
    train = "train_balanced_accuracy" if balanced else "train_accuracy"
    test = "test_balanced_accuracy" if balanced else "test_accuracy"
    rows = []
    for method in method_order(curves["method"].unique()):
        mine = curves[curves["method"] == method]
        at_end, half = (
            mine[mine["iteration"] == end],
            mine[mine["iteration"] == mid_iter],
        )
        gap_end = (at_end[train] - at_end[test]).mean()
        gap_mid = (half[train] - half[test]).mean()
        cells = [pct(at_end["train_accuracy"].mean())]
        if balanced:
            cells.append(pct(at_end[train].mean()))
        cells += [pct(at_end[test].mean()), pct(gap_mid), pct(gap_end)]
        rows.append(f"| {method} | " + " | ".join(cells) + " |")
    if balanced:
        head = (
            "| method | train accuracy | train balanced accuracy | test balanced "
            "accuracy | gap (middle) | gap (end) |"
        )
        what = (
            "the gap is the class-balanced training accuracy minus the "
            "class-balanced test accuracy (the accuracy on the imbalanced "
            "training set would measure the prior shift, not overfitting)"
        )
    else:
        head = "| method | train accuracy | test accuracy | gap (middle) | gap (end) |"
        what = (
            "the gap is train - test accuracy (these curves predate the "
            "class-balanced training accuracy, so the gap includes the prior shift "
            "between an imbalanced training set and a balanced test set)"
        )
    return [
        "## Train and test accuracy over iterations",
        "",
        f"From `curves.csv` (means over its configurations and repeats); {what}, "
        f"at iteration {mid_iter:g} (middle) and {end:g} (end).",
        "",
        head,
        "|---|" + "--:|" * (head.count("|") - 2),
        *rows,
        "",
    ]


def _conclusion_lines(conclusions):
    lines = [
        "## The paper's conclusions",
        "",
        "Each conclusion of the paper that a reproduction must show, as a rule on "
        "paired comparisons (above). Configurations with rho 1 (balanced) are left "
        'out of the comparisons of methods. "not enough data" means the methods or '
        "parameter values a rule needs were not run.",
        "",
        "| # | conclusion | verdict | repeats |",
        "|--:|---|---|--:|",
    ]
    lines += [
        f"| {c['number']} | {c['statement']} | {c['verdict']} | "
        f"{'' if c['repeats'] is None else c['repeats']} |"
        for c in conclusions
    ]
    lines.append("")
    for c in conclusions:
        evidence = [c["evidence"]] if isinstance(c["evidence"], str) else c["evidence"]
        repeats = "" if c["repeats"] is None else f" ({c['repeats']} repeat(s))"
        lines += [
            f"### {c['number']}. {c['statement']}",
            "",
            f"**Verdict: {c['verdict']}.**{repeats}",
            "",
            f"Rule: {c['rule']}",
            "",
            *[f"- {e}" for e in evidence],
            "",
        ]
    return lines


def _versus(comparison):
    if comparison is None:
        return ""
    if comparison.verdict == TOO_FEW:
        return f"{comparison.interval()} ({TOO_FEW})"
    return f"{comparison.interval()}, p {comparison.p:.3f}: {comparison.verdict}"


def _ranking_lines(results, notes, alpha, min_effect):
    ranking = rank_methods(results, alpha=alpha, min_effect=min_effect)
    metrics = [m for m in RANKED_METRICS if m in results.columns]
    lines = [
        "## Which method for this data",
        "",
        "Ranked by mean ROC AUC. Beside each method, its difference from the "
        "baseline and from the best, in points, with the 95 % interval, the "
        "Holm-adjusted p-value (each column is one family) and the verdict. "
        "Notes flag models that did not learn or trained at a lowered rate "
        "(see Warnings).",
        "",
        "| rank | method | "
        + " | ".join(_METRICS[m] for m in metrics)
        + " | vs baseline | vs best | notes |",
        "|--:|---|" + "--:|" * len(metrics) + "---|---|---|",
    ]
    for rank, r in enumerate(ranking, 1):
        cells = [_cell(r[m], r[f"{m}_std"]) for m in metrics]
        lines.append(
            f"| {rank} | {r['method']} | {' | '.join(cells)} | "
            f"{_versus(r['vs_baseline'])} | {_versus(r['vs_best'])} | "
            f"{notes.get(r['method'], '')} |"
        )
    lines += ["", *_answer(ranking, notes), ""]
    return lines + _other_goal_lines(results, metrics, alpha, min_effect)


def _answer(ranking, notes):
    best = ranking[0]
    if all(r["vs_best"] is None or r["vs_best"].verdict == TOO_FEW for r in ranking):
        return [
            f"**For this data: {best['method']}** has the best mean ROC AUC, but "
            "with one unit no method can be told apart from another: add repeats."
        ]
    text = [
        f"**For this data: {best['method']}** has the best mean ROC AUC "
        f"({_cell(best['roc_auc'], best['roc_auc_std'])})."
    ]
    if best["method"] in notes:
        text.append(f"Mind its note: {notes[best['method']]}.")
    tied = [r["method"] for r in ranking[1:] if r["vs_best"].verdict == "cannot tell"]
    worse = [r["method"] for r in ranking[1:] if r["vs_best"].verdict == "worse"]
    if tied:
        text.append(
            f"Not told apart from it on this evidence: {', '.join(tied)}; prefer "
            "the simplest or cheapest of them."
        )
    if worse:
        text.append(f"Worse than it: {', '.join(worse)}.")
    by_base = {r["method"]: r["vs_baseline"] for r in ranking if r["vs_baseline"]}
    if by_base and best["method"] != "baseline":
        for verdict, label in (("better", "Better"), ("worse", "Worse")):
            found = [m for m, c in by_base.items() if c.verdict == verdict]
            if found:
                text.append(f"{label} than the baseline: {', '.join(found)}.")
    return [" ".join(text)]


def _other_goal_lines(results, metrics, alpha, min_effect):
    """The best method by each of the other scores: the answer depends on the goal."""
    others = [m for m in metrics if m != "roc_auc"]
    if not others:
        return []
    lines = [
        "When decisions matter more than ranking, judge by another score; the best "
        "method by each, and those not told apart from it:",
        "",
        "| score | best | not told apart from it |",
        "|---|---|---|",
    ]
    for metric in others:
        ranking = rank_methods(results, metric, alpha=alpha, min_effect=min_effect)
        tied = [r["method"] for r in ranking[1:] if r["vs_best"].verdict != "worse"]
        best = ranking[0]
        lines.append(
            f"| {_METRICS[metric]} | {best['method']} "
            f"({_cell(best[metric], best[f'{metric}_std'])}) | "
            f"{', '.join(tied) if tied else 'none'} |"
        )
    return lines + [""]


def _warning_lines(findings):
    if not findings:
        return []
    lines = ["## Warnings", ""]
    lines += [f"- **{w.kind}.** {w.message}" for w in findings]
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
        if not held:
            text = "None of the paper's conclusions holds here. "
        elif len(held) == 1:
            text = f"Of the paper's conclusions, number {held[0]} holds here. "
        else:
            listed = f"{', '.join(held[:-1])} and {held[-1]}"
            text = f"Of the paper's conclusions, numbers {listed} hold here. "
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


def write_report(
    results,
    path,
    *,
    curves=None,
    settings=None,
    figures=(),
    alpha=ALPHA,
    min_effect=MIN_EFFECT,
):
    """Write ``report.md``: what was run, score tables, verdicts, warnings,
    figures, advice.

    For the paper's protocol (step or linear imbalance) the verdicts are the
    five conclusions (:func:`check_conclusions`); for a user's data as it is
    (``imbalance="natural"``) the ranking of the methods
    (:func:`rank_methods`). Both rest on paired comparisons with intervals;
    the warnings say where the evidence is thin. The file is replaced whole
    (written beside it, then renamed), so an interruption leaves the old one.

    Parameters
    ----------
    results : pandas.DataFrame
        The rows of ``results.csv`` (one per fitted model).
    path : str or path-like
        The Markdown file to write; its folder must exist.
    curves : pandas.DataFrame, default=None
        The rows of ``curves.csv``; adds a table of train and test accuracy.
    settings : dict, default=None
        The study's settings (``study.json``): its budget, network, images,
        preprocessing and class counts are reported.
    figures : sequence of path-like, default=()
        The figures to list and link (paths, e.g. from :func:`plot_study`).
    alpha : float, default=0.05
        Family-wise error rate of each verdict's comparisons.
    min_effect : float, default=0.005
        The smallest difference called better or worse.

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
    if "repeat" not in results.columns:
        results = results.assign(repeat=0)
    path = Path(path)
    findings = warnings_of(results, curves, settings)
    lines = _header(results, settings, alpha, min_effect) + _tables(results)
    if curves is not None and len(curves):
        lines += _curve_lines(curves)
    conclusions = None
    if _natural(results):
        notes = flags_by_method(findings)
        lines += _ranking_lines(results, notes, alpha, min_effect)
    else:
        conclusions = check_conclusions(
            results, curves, alpha=alpha, min_effect=min_effect
        )
        lines += _conclusion_lines(conclusions)
    lines += _warning_lines(findings)
    lines += _figure_lines(figures, path.parent)
    lines += _use_lines(results, conclusions)
    text = "\n".join(lines).rstrip() + "\n"
    write_atomically(path, lambda f: f.write(text))
    return path
