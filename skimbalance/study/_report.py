"""``report.md``: what was run, tables of scores, and the paper's five conclusions.

:func:`check_conclusions` turns the five conclusions of Buda, Maki & Mazurowski
(2018) that a reproduction must show into rules on the mean scores of
``results.csv``, and :func:`write_report` writes them with the tables they rest
on. Every rule is stated in the report next to its verdict.
"""

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ._methods import ADDED_METHODS, PAPER_METHODS, THRESHOLDED

#: One configuration of the study; ``mu`` is NaN for linear imbalance.
CONFIG = ["dataset", "imbalance", "rho", "mu"]
_METRICS = {"roc_auc": "ROC AUC", "accuracy": "accuracy", "mcc": "MCC"}
_RATIO = re.compile(r"^(ros|rus)_ratio_(.+)$")

#: Thresholds of the rules, in score units (0.005 is half a percentage point).
TIED_AUC = 0.005  # conclusion 2: "tied-best"
MUCH_WORSE_AUC = 0.01  # conclusion 2: "never much worse than baseline"
FEW_MINORITY_MU = 0.5  # conclusion 3: "not many minority classes"
WIDER_GAP = 0.02  # conclusion 5: "the train/test gap does not widen"

#: Configurations listed one by one in the evidence, at most.
_MAX_LISTED = 10

VERDICTS = ("holds", "does not hold", "not enough data")


def ratio_of(method):
    """``("ros", 10.0)`` for ``"ros_ratio_10"``; ``None`` for any other name."""
    match = _RATIO.match(str(method))
    if match is None:
        return None
    try:
        return match.group(1), float(match.group(2).replace("_", "."))
    except ValueError:
        return None


def method_order(methods):
    """``methods`` sorted as the paper's eight, the additions, then by ratio."""
    known = {m: i for i, m in enumerate(PAPER_METHODS + ADDED_METHODS)}

    def key(m):
        if m in known:
            return (0, known[m], 0.0, "")
        ratio = ratio_of(m)
        if ratio is not None:
            return (1, 0, ratio[1], ratio[0])
        return (2, 0, 0.0, str(m))

    return sorted(set(methods), key=key)


def config_means(results, metrics=("roc_auc", "accuracy")):
    """Mean of each metric over repeats, one row per configuration and method.

    Returns a frame indexed by ``CONFIG + ["method"]`` (NaN ``mu`` kept) with
    the columns of ``metrics`` that ``results`` has.
    """
    metrics = [m for m in metrics if m in results.columns]
    return results.groupby(CONFIG + ["method"], dropna=False)[metrics].mean()


def _pivot(means, metric):
    """Configurations (rows) by methods (columns) of one mean metric."""
    return means[metric].unstack("method")


def _spearman(x, y):
    """Spearman rank correlation; 0 where either side is constant."""
    x = pd.Series(np.asarray(x, dtype=float)).rank()
    r = x.corr(pd.Series(np.asarray(y, dtype=float)).rank())
    return 0.0 if np.isnan(r) else float(r)


def _pct(value):
    return f"{100 * value:.2f}"


def _signed(value):
    return f"{100 * value:+.2f}"


def _share(flags):
    flags = list(flags)
    return f"{sum(flags)}/{len(flags)} ({100 * sum(flags) / len(flags):.0f} %)"


def describe_config(dataset, imbalance, rho, mu):
    """``"digits, step, rho 10, mu 0.5"`` (no mu for linear imbalance)."""
    text = f"{dataset}, {imbalance}, rho {rho:g}"
    if not (isinstance(mu, float) and math.isnan(mu)):
        text += f", mu {mu:g}"
    return text


def _imbalanced(table):
    """Rows of configurations with rho > 1: at rho 1 sampling does nothing."""
    return table[table.index.get_level_values("rho") > 1]


def _result(number, verdict, evidence):
    statement, rule = _CONCLUSIONS[number]
    assert verdict in VERDICTS
    return {
        "number": number,
        "statement": statement,
        "rule": rule,
        "verdict": verdict,
        "evidence": evidence,
    }


_CONCLUSIONS = {
    1: (
        "Imbalance hurts ROC AUC, more with larger rho and more minority classes.",
        "For each dataset, imbalance type and mu with two or more rho values, the "
        "Spearman correlation of the mean baseline ROC AUC with rho; for each "
        "dataset and rho > 1 (step imbalance) with two or more mu values, its "
        "Spearman correlation with mu. Holds when the correlation is negative in "
        "more than half of the series of each kind. Needs one series against rho; "
        "the mu part is skipped (and said so) when no rho has two mu values.",
    ),
    2: (
        "Oversampling is the best or tied-best method in almost all cases, and "
        "never much worse than baseline.",
        f"In configurations with rho > 1, ROS counts as best when its mean ROC AUC "
        f"is within {100 * TIED_AUC:.1f} points ({TIED_AUC} AUC) of the best of "
        f"the paper's eight methods that were run. Holds when ROS is best in at "
        f"least 80 % of the configurations and never more than "
        f"{100 * MUCH_WORSE_AUC:.0f} point ({MUCH_WORSE_AUC} AUC) below baseline.",
    ),
    3: (
        "Undersampling is often worse than baseline, except with many minority "
        "classes.",
        f"Step imbalance, rho > 1. With mu <= {FEW_MINORITY_MU} at least half "
        "the classes are majority classes that RUS cuts down to the minority "
        "count, so it discards most of the training set; this is where the paper "
        "found RUS below baseline, and it saw gains only with 8 of 10 minority "
        "classes. Holds when RUS has a lower mean ROC AUC than baseline in more "
        f"than half of the configurations with mu <= {FEW_MINORITY_MU}, and the "
        "gap (baseline - RUS) is smaller at the largest mu than at the smallest "
        "in more than half of the (dataset, rho) series with two or more mu "
        "values (skipped, and said so, when there is no such series).",
    ),
    4: (
        "Thresholding raises accuracy (not AUC); best combined with baseline or "
        "oversampling.",
        "In configurations with rho > 1: thresholding has a higher mean accuracy "
        "than baseline in more than half of them; ROS+thresholding higher than "
        "ROS in more than half (when both were run); and the most accurate of "
        "the paper's eight methods run is thresholding or ROS+thresholding in "
        "more than half. The ROC AUC change of thresholding is reported, not "
        "tested: the study scores the renormalised probabilities of "
        "predict_proba, and renormalising changes one-vs-rest AUC, by several "
        "points under extreme imbalance.",
    ),
    5: (
        "Oversampling does not overfit CNNs (train/test gap does not widen).",
        "The train-test accuracy gap (train_accuracy - accuracy, mean over "
        "repeats) of ROS minus that of baseline, in configurations with rho > 1. "
        f"Holds when its mean over configurations is at most {WIDER_GAP} "
        f"({100 * WIDER_GAP:.0f} points).",
    ),
}


def _check_1(means):
    if "baseline" not in means.index.get_level_values("method"):
        return _result(1, "not enough data", "No baseline runs.")
    base = _pivot(means, "roc_auc")["baseline"].dropna().reset_index()
    lines, rho_signs, mu_signs = [], [], []
    for (dataset, imbalance, mu), group in base.groupby(
        ["dataset", "imbalance", "mu"], dropna=False
    ):
        if group["rho"].nunique() < 2:
            continue
        group = group.sort_values("rho")
        r = _spearman(group["rho"], group["baseline"])
        rho_signs.append(r < 0)
        where = f"{dataset}, {imbalance}" + ("" if math.isnan(mu) else f", mu {mu:g}")
        lines.append(
            f"vs rho ({where}): {_pct(group['baseline'].iloc[0])} -> "
            f"{_pct(group['baseline'].iloc[-1])} from rho {group['rho'].iloc[0]:g} "
            f"to {group['rho'].iloc[-1]:g}, Spearman {r:+.2f}"
        )
    step = base[(base["imbalance"] == "step") & (base["rho"] > 1)]
    for (dataset, rho), group in step.groupby(["dataset", "rho"]):
        if group["mu"].nunique() < 2:
            continue
        group = group.sort_values("mu")
        r = _spearman(group["mu"], group["baseline"])
        mu_signs.append(r < 0)
        lines.append(
            f"vs mu ({dataset}, step, rho {rho:g}): {_pct(group['baseline'].iloc[0])}"
            f" -> {_pct(group['baseline'].iloc[-1])} from mu {group['mu'].iloc[0]:g}"
            f" to {group['mu'].iloc[-1]:g}, Spearman {r:+.2f}"
        )
    if not rho_signs:
        return _result(
            1, "not enough data", "No dataset/mu with two or more rho values."
        )
    lines.append(f"negative against rho in {_share(rho_signs)} of the series")
    holds = sum(rho_signs) > len(rho_signs) / 2
    if mu_signs:
        lines.append(f"negative against mu in {_share(mu_signs)} of the series")
        holds = holds and sum(mu_signs) > len(mu_signs) / 2
    else:
        lines.append("mu part not checked: no rho > 1 with two or more mu values")
    return _result(1, "holds" if holds else "does not hold", lines)


def _check_2(means):
    auc = _imbalanced(_pivot(means, "roc_auc"))
    if not {"baseline", "ros"} <= set(auc.columns):
        return _result(2, "not enough data", "Needs both baseline and ROS runs.")
    auc = auc.dropna(subset=["baseline", "ros"])
    if auc.empty:
        return _result(2, "not enough data", "No configuration with rho > 1 has both.")
    paper = [m for m in PAPER_METHODS if m in auc.columns]
    best = auc[paper].max(axis=1)
    behind = best - auc["ros"]
    versus_base = auc["ros"] - auc["baseline"]
    tied = behind <= TIED_AUC + 1e-12
    worst = versus_base.idxmin()
    lines = [
        f"compared against: {', '.join(paper)}",
        f"ROS best or within {100 * TIED_AUC:.1f} points of the best in "
        f"{_share(tied)} of the configurations",
        f"ROS - baseline ROC AUC: mean {_signed(versus_base.mean())}, min "
        f"{_signed(versus_base.min())} points ({describe_config(*worst)})",
    ]
    for config in behind[~tied].index[:_MAX_LISTED]:
        best_method = auc.loc[config, paper].idxmax()
        lines.append(
            f"ROS {_pct(behind[config])} points behind {best_method} "
            f"({describe_config(*config)})"
        )
    if (~tied).sum() > _MAX_LISTED:
        lines.append(f"... and {(~tied).sum() - _MAX_LISTED} more such configurations")
    holds = tied.mean() >= 0.8 and versus_base.min() >= -MUCH_WORSE_AUC - 1e-12
    return _result(2, "holds" if holds else "does not hold", lines)


def _check_3(means):
    auc = _imbalanced(_pivot(means, "roc_auc"))
    if not {"baseline", "rus"} <= set(auc.columns):
        return _result(3, "not enough data", "Needs both baseline and RUS runs.")
    auc = auc.dropna(subset=["baseline", "rus"])
    gap = (auc["baseline"] - auc["rus"]).reset_index(name="gap")
    gap = gap[gap["imbalance"] == "step"]
    few = gap[gap["mu"] <= FEW_MINORITY_MU + 1e-12]
    if few.empty:
        return _result(
            3,
            "not enough data",
            f"No step-imbalance configuration with rho > 1 and mu <= "
            f"{FEW_MINORITY_MU} has both baseline and RUS.",
        )
    below = few["gap"] > 0
    lines = [
        f"RUS below baseline with mu <= {FEW_MINORITY_MU} in {_share(below)} of the "
        f"configurations (mean gap {_signed(few['gap'].mean())} points)"
    ]
    holds = below.mean() > 0.5
    shrinks = []
    for (dataset, rho), group in gap.groupby(["dataset", "rho"]):
        if group["mu"].nunique() < 2:
            continue
        group = group.sort_values("mu")
        first, last = group.iloc[0], group.iloc[-1]
        shrinks.append(last["gap"] < first["gap"])
        lines.append(
            f"gap ({dataset}, rho {rho:g}): {_signed(first['gap'])} at mu "
            f"{first['mu']:g} -> {_signed(last['gap'])} at mu {last['mu']:g}"
        )
    if shrinks:
        lines.append(f"gap smaller at the largest mu in {_share(shrinks)} of series")
        holds = holds and sum(shrinks) > len(shrinks) / 2
    else:
        lines.append("shrinking not checked: no rho with two or more mu values")
    return _result(3, "holds" if holds else "does not hold", lines)


def _check_4(means):
    if "accuracy" not in means.columns:
        return _result(4, "not enough data", "No accuracy column.")
    acc = _imbalanced(_pivot(means, "accuracy"))
    if not {"baseline", "thresholding"} <= set(acc.columns):
        return _result(
            4, "not enough data", "Needs both baseline and thresholding runs."
        )
    acc = acc.dropna(subset=["baseline", "thresholding"])
    if acc.empty:
        return _result(4, "not enough data", "No configuration with rho > 1 has both.")
    auc = _pivot(means, "roc_auc").loc[acc.index]
    raised = acc["thresholding"] > acc["baseline"]
    d_acc = acc["thresholding"] - acc["baseline"]
    d_auc = auc["thresholding"] - auc["baseline"]
    lines = [
        f"thresholding more accurate than baseline in {_share(raised)} of the "
        f"configurations (accuracy change: mean {_signed(d_acc.mean())}, min "
        f"{_signed(d_acc.min())} points)",
        f"its ROC AUC change (not tested): mean {_signed(d_auc.mean())}, largest "
        f"absolute {_pct(d_auc.abs().max())} points",
    ]
    holds = raised.mean() > 0.5
    if {"ros", "ros_thresholding"} <= set(acc.columns):
        pair = acc[["ros", "ros_thresholding"]].dropna()
        if not pair.empty:
            ros_raised = pair["ros_thresholding"] > pair["ros"]
            lines.append(
                f"ROS+thresholding more accurate than ROS in {_share(ros_raised)} "
                "of the configurations"
            )
            holds = holds and ros_raised.mean() > 0.5
    paper = [m for m in PAPER_METHODS if m in acc.columns]
    winners = acc[paper].idxmax(axis=1)
    good = winners.isin(["thresholding", "ros_thresholding"])
    counts = ", ".join(f"{m} {n}" for m, n in winners.value_counts().items())
    lines.append(
        f"most accurate method is thresholding or ROS+thresholding in {_share(good)} "
        f"of the configurations (most accurate: {counts})"
    )
    holds = holds and good.mean() > 0.5
    return _result(4, "holds" if holds else "does not hold", lines)


def _check_5(results):
    needed = {"train_accuracy", "accuracy"}
    if not needed <= set(results.columns):
        return _result(5, "not enough data", "No train_accuracy column.")
    runs = results[results["method"].isin(["baseline", "ros"])]
    runs = runs.assign(gap=runs["train_accuracy"] - runs["accuracy"])
    gap = _imbalanced(_pivot(config_means(runs, ("gap",)), "gap"))
    if not {"baseline", "ros"} <= set(gap.columns):
        return _result(5, "not enough data", "Needs both baseline and ROS runs.")
    gap = gap[["baseline", "ros"]].dropna()
    if gap.empty:
        return _result(
            5,
            "not enough data",
            "No configuration with rho > 1 has train accuracy for both.",
        )
    wider = gap["ros"] - gap["baseline"]
    lines = [
        f"train - test accuracy: baseline {_pct(gap['baseline'].mean())}, ROS "
        f"{_pct(gap['ros'].mean())} points (mean over {len(gap)} configurations)",
        f"ROS gap - baseline gap: mean {_signed(wider.mean())}, largest "
        f"{_signed(wider.max())} points ({describe_config(*wider.idxmax())})",
    ]
    holds = wider.mean() <= WIDER_GAP + 1e-12
    return _result(5, "holds" if holds else "does not hold", lines)


def check_conclusions(results):
    """Check the paper's five conclusions against a results table.

    Each conclusion becomes a rule on the scores averaged over repeats (see
    ``rule`` in each entry and the module constants ``TIED_AUC``,
    ``MUCH_WORSE_AUC``, ``FEW_MINORITY_MU`` and ``WIDER_GAP``). A conclusion
    whose methods or parameter values were not run is ``"not enough data"``.

    Parameters
    ----------
    results : pandas.DataFrame
        The rows of ``results.csv``: columns ``dataset, imbalance, rho, mu,
        method, roc_auc`` at least, and ``accuracy`` and ``train_accuracy``
        for conclusions 4 and 5.

    Returns
    -------
    conclusions : list of dict
        Five dicts with keys ``number`` (1 to 5), ``statement`` (the
        conclusion), ``rule`` (how it is checked), ``verdict`` (``"holds"``,
        ``"does not hold"`` or ``"not enough data"``) and ``evidence`` (the
        numbers behind the verdict: a list of str, or one str when there is
        not enough data).

    Examples
    --------
    >>> import pandas as pd
    >>> from skimbalance.study._report import check_conclusions
    >>> results = pd.DataFrame({
    ...     "dataset": "digits", "imbalance": "step", "rho": [10.0, 10.0, 100.0],
    ...     "mu": 0.5, "method": ["baseline", "ros", "baseline"],
    ...     "roc_auc": [0.99, 0.995, 0.95]})
    >>> [c["verdict"] for c in check_conclusions(results)]
    ['holds', 'holds', 'not enough data', 'not enough data', 'not enough data']
    """
    _check_columns(results)
    means = config_means(results)
    return [
        _check_1(means),
        _check_2(means),
        _check_3(means),
        _check_4(means),
        _check_5(results),
    ]


def _check_columns(results):
    missing = [c for c in CONFIG + ["method", "roc_auc"] if c not in results.columns]
    if missing:
        raise ValueError(
            f"results lacks the columns {missing}; it has {list(results.columns)}."
        )


def _cell(mean, std):
    if np.isnan(mean):
        return ""
    return _pct(mean) if np.isnan(std) else f"{_pct(mean)} ± {_pct(std)}"


def _tables(results):
    metrics = [m for m in _METRICS if m in results.columns]
    stats = results.groupby(CONFIG + ["method"], dropna=False)[metrics].agg(
        ["mean", "std", "count"]
    )
    lines = []
    for config, table in stats.groupby(level=CONFIG, dropna=False, sort=True):
        table = table.droplevel(CONFIG)
        table = table.loc[method_order(table.index)]
        best = table[("roc_auc", "mean")].max()
        lines += [f"### {describe_config(*config)}", ""]
        names = " | ".join(_METRICS[m] for m in metrics)
        lines.append(f"| method | n | {names} |")
        lines.append("|---|--:|" + "--:|" * len(metrics))
        for method, row in table.iterrows():
            cells = [_cell(row[(m, "mean")], row[(m, "std")]) for m in metrics]
            if row[("roc_auc", "mean")] == best:
                cells[0] = f"**{cells[0]}**"
            n = int(row[("roc_auc", "count")])
            lines.append(f"| {method} | {n} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _values(series):
    values = sorted(v for v in series.dropna().unique())
    return ", ".join(f"{v:g}" for v in values) if values else "-"


def _header(results, settings):
    repeats = results.groupby(CONFIG + ["method"], dropna=False).size()
    if repeats.min() == repeats.max():
        n_repeats = f"{repeats.min()}"
    else:
        n_repeats = f"{repeats.min()} to {repeats.max()} (varies by configuration)"
    methods = method_order(results["method"].unique())
    lines = [
        "# skimbalance study report",
        "",
        'A reproduction of Buda, Maki & Mazurowski (2018), "A systematic study of '
        'the class imbalance problem in convolutional neural networks".',
        "",
        f"- datasets: {', '.join(sorted(results['dataset'].astype(str).unique()))}",
        f"- imbalance: {', '.join(sorted(results['imbalance'].astype(str).unique()))}",
        f"- rho: {_values(results['rho'])}",
        f"- mu (step imbalance): {_values(results['mu'])}",
        f"- methods ({len(methods)}): {', '.join(methods)}",
        f"- repeats per configuration and method: {n_repeats}",
    ]
    max_iter = None
    if "max_iter" in results.columns and results["max_iter"].notna().any():
        max_iter = _values(results["max_iter"])
    elif settings and settings.get("max_iter") is not None:
        max_iter = f"{settings['max_iter']}"
    if max_iter is not None:
        lines.append(f"- budget: {max_iter} weight updates (max_iter) per model")
    # thresholded variants reuse a trained model: its row repeats its fit_seconds
    trained = results[~results["method"].isin(list(THRESHOLDED))]
    lines.append(
        f"- scored models: {len(results)}, of which {len(trained)} trained (the"
        " thresholded variants post-process a trained model)"
    )
    if "fit_seconds" in results.columns and trained["fit_seconds"].notna().any():
        minutes = trained["fit_seconds"].sum() / 60
        lines.append(f"- total training time: {minutes:.1f} min")
    lines += [
        "",
        "Scores are in percent (x 100): mean ± standard deviation over repeats "
        "(mean only for a single repeat); n is the number of repeats. ROC AUC "
        "is the paper's multi-class ROC AUC (mean of one-vs-rest AUCs), computed "
        "from what `predict_proba` returns. The best mean ROC AUC of each table "
        "is in bold.",
        "",
    ]
    return lines


def _curve_lines(curves):
    """Final train/test accuracy and gap per method, from ``curves.csv``."""
    last = curves[curves["iteration"] == curves["iteration"].max()]
    mid_iter = curves.loc[
        curves["iteration"] >= curves["iteration"].max() / 2, "iteration"
    ].min()
    mid = curves[curves["iteration"] == mid_iter]
    rows = []
    for method in method_order(curves["method"].unique()):
        end = last[last["method"] == method]
        half = mid[mid["method"] == method]
        gap_end = (end["train_accuracy"] - end["test_accuracy"]).mean()
        gap_mid = (half["train_accuracy"] - half["test_accuracy"]).mean()
        rows.append(
            f"| {method} | {_pct(end['train_accuracy'].mean())} | "
            f"{_pct(end['test_accuracy'].mean())} | {_pct(gap_mid)} | "
            f"{_pct(gap_end)} |"
        )
    return [
        "## Train and test accuracy over iterations",
        "",
        f"From `curves.csv` (means over its configurations and repeats); the gap "
        f"is train - test accuracy at iteration {mid_iter:g} (middle) and "
        f"{curves['iteration'].max():g} (end).",
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
        "the mean scores above. Configurations with rho 1 (balanced) are left out "
        "of the comparisons of methods, since sampling does nothing there. "
        '"not enough data" means the methods or parameter values a rule needs '
        "were not run.",
        "",
        "| # | conclusion | verdict |",
        "|--:|---|---|",
    ]
    lines += [
        f"| {c['number']} | {c['statement']} | {c['verdict']} |" for c in conclusions
    ]
    lines.append("")
    for c in conclusions:
        evidence = c["evidence"]
        if isinstance(evidence, str):
            evidence = [evidence]
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


def write_report(results, path, *, curves=None, settings=None):
    """Write ``report.md``: what was run, score tables and the paper's conclusions.

    Parameters
    ----------
    results : pandas.DataFrame
        The rows of ``results.csv`` (one per fitted model).
    path : str or path-like
        The Markdown file to write; its folder must exist.
    curves : pandas.DataFrame, default=None
        The rows of ``curves.csv`` (``method, iteration, train_accuracy,
        test_accuracy``, ...); adds a table of train and test accuracy.
    settings : dict, default=None
        The study's settings (``study.json``); its ``max_iter`` is reported as
        the budget when ``results`` has no ``max_iter`` column.

    Returns
    -------
    path : pathlib.Path
        The file written.

    See Also
    --------
    check_conclusions : The verdicts of the last section.

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
    _check_columns(results)
    lines = _header(results, settings)
    lines += ["## Results", ""] + _tables(results)
    if curves is not None and len(curves):
        lines += _curve_lines(curves)
    lines += _conclusion_lines(check_conclusions(results))
    path = Path(path)
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
