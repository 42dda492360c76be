"""The rules: the paper's five conclusions, and "which method for this data".

:func:`check_conclusions` turns the five conclusions of Buda, Maki & Mazurowski
(2018) that a reproduction must show into rules on the scores of
``results.csv``; :func:`rank_methods` ranks the methods on a user's own data.
Both count a difference as evidence only when it exceeds the noise of the two
scores compared: their repeat-to-repeat (or fold-to-fold) standard deviation,
and never less than a floor (:data:`TIED`, half a point of ROC AUC or accuracy)
that stands for the noise a single repeat cannot show.
"""

import math

import numpy as np
import pandas as pd

from ._methods import PAPER_METHODS, method_order
from ._results import CONFIG, describe_config

#: The smallest difference that counts, per metric, in score units (0.005 is
#: half a percentage point): with one repeat, the only noise estimate there is.
TIED = {
    "roc_auc": 0.005,
    "accuracy": 0.005,
    "mcc": 0.01,
    "pr_auc": 0.005,
    "balanced_accuracy": 0.005,
}
MUCH_WORSE_AUC = 0.01  # conclusion 2: "never much worse than baseline"
FEW_MINORITY_MU = 0.5  # conclusion 3: "not many minority classes"
WIDER_GAP = 0.02  # conclusion 5: "the train/test gap does not widen"
_MAX_LISTED = 10  # configurations listed one by one in the evidence, at most
VERDICTS = ("holds", "does not hold", "not enough data")


# ------------------------------------------------------------------ numbers
def pct(value):
    """A score in percent, two decimals."""
    return f"{100 * value:.2f}"


def signed(value):
    """A difference in points with its sign; never "-0.00"."""
    return f"{round(100 * value, 2) + 0.0:+.2f}"


def share(flags):
    flags = list(flags)
    return f"{sum(flags)}/{len(flags)} ({100 * sum(flags) / len(flags):.0f} %)"


def config_stats(results, metrics=("roc_auc", "accuracy")):
    """Mean, std and count of each metric over repeats, per configuration and
    method (a frame with columns ``(metric, stat)``)."""
    metrics = [m for m in metrics if m in results.columns]
    return results.groupby(CONFIG + ["method"], dropna=False)[metrics].agg(
        ["mean", "std", "count"]
    )


def _table(stats, metric, stat="mean"):
    """Configurations (rows) by methods (columns) of one statistic."""
    return stats[(metric, stat)].unstack("method")


def noise(metric, *stds):
    """The difference below which two scores are tied: the larger of the floor
    and the root mean square of their repeat-to-repeat standard deviations."""
    stds = [0.0 if (s is None or math.isnan(s)) else float(s) for s in stds]
    return max(TIED[metric], math.sqrt(sum(s * s for s in stds) / len(stds)))


def _noise_values(metric, std_a, std_b):
    """:func:`noise` element-wise for two aligned arrays of standard deviations."""
    a, b = (np.nan_to_num(np.asarray(s, dtype=float)) for s in (std_a, std_b))
    return np.maximum(TIED[metric], np.sqrt((a * a + b * b) / 2))


def _noise_table(stats, metric, a, b):
    std = _table(stats, metric, "std")
    return pd.Series(_noise_values(metric, std[a], std[b]), std.index)


def _imbalanced(table):
    """Rows of configurations with rho > 1: at rho 1 sampling does nothing."""
    return table[table.index.get_level_values("rho") > 1]


def _spearman(x, y):
    """Spearman rank correlation; 0 where either side is constant."""
    x = pd.Series(np.asarray(x, dtype=float)).rank()
    r = x.corr(pd.Series(np.asarray(y, dtype=float)).rank())
    return 0.0 if np.isnan(r) else float(r)


# ---------------------------------------------------------- the conclusions
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
        "In configurations with rho > 1, ROS counts as best when its mean ROC AUC "
        "is below that of the best of the paper's eight methods run by no more "
        "than the noise (the repeat-to-repeat standard deviation of the two, at "
        f"least {100 * TIED['roc_auc']:.1f} points). Holds when ROS is best in at "
        "least 80 % of the configurations and never more than "
        f"{100 * MUCH_WORSE_AUC:.0f} point below baseline (beyond the noise).",
    ),
    3: (
        "Undersampling is often worse than baseline, except with many minority "
        "classes.",
        f"Step imbalance, rho > 1. With mu <= {FEW_MINORITY_MU} at least half "
        "the classes are majority classes that RUS cuts down to the minority "
        "count; this is where the paper found RUS below baseline, and it saw "
        "gains only with 8 of 10 minority classes. RUS counts as below baseline "
        "when its mean ROC AUC is lower by more than the noise (the "
        "repeat-to-repeat standard deviation, at least "
        f"{100 * TIED['roc_auc']:.1f} points); smaller gaps are ties, never "
        f"evidence. Holds when RUS is below baseline in more than half of the "
        f"configurations with mu <= {FEW_MINORITY_MU}, and the gap (baseline - "
        "RUS) is smaller at the largest mu than at the smallest in more than half "
        "of the (dataset, rho) series with two or more mu values (skipped, and "
        "said so, when there is no such series).",
    ),
    4: (
        "Thresholding raises accuracy (not AUC); best combined with baseline or "
        "oversampling.",
        "In configurations with rho > 1, a method counts as more accurate than "
        "another when its mean accuracy is higher by more than the noise (at "
        f"least {100 * TIED['accuracy']:.1f} points). Holds when thresholding is "
        "more accurate than baseline in more than half of them, ROS+thresholding "
        "more accurate than ROS in more than half (when both were run), and the "
        "most accurate of the paper's eight methods run is thresholding or "
        "ROS+thresholding in more than half. The ROC AUC change of thresholding "
        "is reported, not tested: the study scores the renormalised "
        "probabilities of predict_proba, and renormalising changes one-vs-rest "
        "AUC, by several points under extreme imbalance.",
    ),
    5: (
        "Oversampling does not overfit CNNs (train/test gap does not widen).",
        "The train-test accuracy gap (train_accuracy - accuracy, mean over "
        "repeats) of ROS minus that of baseline, in configurations with rho > 1. "
        f"Holds when its mean over configurations is at most {WIDER_GAP} "
        f"({100 * WIDER_GAP:.0f} points).",
    ),
}


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


def _check_1(stats):
    means = _table(stats, "roc_auc")
    if "baseline" not in means.columns:
        return _result(1, "not enough data", "No baseline runs.")
    base = means["baseline"].dropna().reset_index()
    lines, rho_signs, mu_signs = [], [], []
    for (dataset, imbalance, mu), group in base.groupby(
        ["dataset", "imbalance", "mu"], dropna=False
    ):
        if group["rho"].nunique() < 2:
            continue
        group = group.sort_values("rho")
        r = _spearman(group["rho"], group["baseline"])
        rho_signs.append(r < 0)
        lines.append(
            f"vs rho ({describe_config(dataset, imbalance, math.nan, mu)}): "
            f"{pct(group['baseline'].iloc[0])} -> {pct(group['baseline'].iloc[-1])} "
            f"from rho {group['rho'].iloc[0]:g} to {group['rho'].iloc[-1]:g}, "
            f"Spearman {r:+.2f}"
        )
    step = base[(base["imbalance"] == "step") & (base["rho"] > 1)]
    for (dataset, rho), group in step.groupby(["dataset", "rho"]):
        if group["mu"].nunique() < 2:
            continue
        group = group.sort_values("mu")
        r = _spearman(group["mu"], group["baseline"])
        mu_signs.append(r < 0)
        lines.append(
            f"vs mu ({dataset}, step, rho {rho:g}): {pct(group['baseline'].iloc[0])}"
            f" -> {pct(group['baseline'].iloc[-1])} from mu {group['mu'].iloc[0]:g}"
            f" to {group['mu'].iloc[-1]:g}, Spearman {r:+.2f}"
        )
    if not rho_signs:
        return _result(
            1, "not enough data", "No dataset/mu with two or more rho values."
        )
    lines.append(f"negative against rho in {share(rho_signs)} of the series")
    holds = sum(rho_signs) > len(rho_signs) / 2
    if mu_signs:
        lines.append(f"negative against mu in {share(mu_signs)} of the series")
        holds = holds and sum(mu_signs) > len(mu_signs) / 2
    else:
        lines.append("mu part not checked: no rho > 1 with two or more mu values")
    return _result(1, "holds" if holds else "does not hold", lines)


def _check_2(stats):
    auc = _imbalanced(_table(stats, "roc_auc"))
    if not {"baseline", "ros"} <= set(auc.columns):
        return _result(2, "not enough data", "Needs both baseline and ROS runs.")
    auc = auc.dropna(subset=["baseline", "ros"])
    if auc.empty:
        return _result(2, "not enough data", "No configuration with rho > 1 has both.")
    paper = [m for m in PAPER_METHODS if m in auc.columns]
    std = _table(stats, "roc_auc", "std").loc[auc.index, paper]
    best_method = auc[paper].idxmax(axis=1)
    behind = auc[paper].max(axis=1) - auc["ros"]
    best_std = std.to_numpy()[np.arange(len(std)), auc[paper].to_numpy().argmax(1)]
    margin = pd.Series(_noise_values("roc_auc", std["ros"], best_std), auc.index)
    tied = behind <= margin + 1e-12
    versus_base = auc["ros"] - auc["baseline"]
    base_noise = _noise_table(stats, "roc_auc", "ros", "baseline").loc[auc.index]
    much_worse = versus_base < -(np.maximum(MUCH_WORSE_AUC, base_noise)) - 1e-12
    worst = versus_base.idxmin()
    lines = [
        f"compared against: {', '.join(paper)}",
        f"ROS best or tied with the best (within the noise) in {share(tied)} of "
        "the configurations",
        f"ROS - baseline ROC AUC: mean {signed(versus_base.mean())}, min "
        f"{signed(versus_base.min())} points ({describe_config(*worst)})",
    ]
    for config in behind[~tied].index[:_MAX_LISTED]:
        lines.append(
            f"ROS {pct(behind[config])} points behind {best_method[config]}, beyond "
            f"the noise of {pct(margin[config])} ({describe_config(*config)})"
        )
    if (~tied).sum() > _MAX_LISTED:
        lines.append(f"... and {(~tied).sum() - _MAX_LISTED} more such configurations")
    holds = tied.mean() >= 0.8 and not much_worse.any()
    return _result(2, "holds" if holds else "does not hold", lines)


def _check_3(stats):
    auc = _imbalanced(_table(stats, "roc_auc"))
    if not {"baseline", "rus"} <= set(auc.columns):
        return _result(3, "not enough data", "Needs both baseline and RUS runs.")
    auc = auc.dropna(subset=["baseline", "rus"])
    margin = _noise_table(stats, "roc_auc", "baseline", "rus").loc[auc.index]
    gap = pd.DataFrame({"gap": auc["baseline"] - auc["rus"], "noise": margin})
    gap = gap.reset_index()
    gap = gap[gap["imbalance"] == "step"]
    few = gap[gap["mu"] <= FEW_MINORITY_MU + 1e-12]
    if few.empty:
        return _result(
            3,
            "not enough data",
            f"No step-imbalance configuration with rho > 1 and mu <= "
            f"{FEW_MINORITY_MU} has both baseline and RUS.",
        )
    below = few["gap"] > few["noise"] + 1e-12
    ties = (few["gap"].abs() <= few["noise"] + 1e-12).sum()
    lines = [
        f"RUS below baseline beyond the noise with mu <= {FEW_MINORITY_MU} in "
        f"{share(below)} of the configurations ({ties} within the noise, counted "
        f"as ties; mean gap {signed(few['gap'].mean())} points)"
    ]
    holds = below.mean() > 0.5
    shrinks = []
    for (dataset, rho), group in gap.groupby(["dataset", "rho"]):
        if group["mu"].nunique() < 2:
            continue
        group = group.sort_values("mu")
        first, last = group.iloc[0], group.iloc[-1]
        shrinks.append(last["gap"] < first["gap"] - max(first["noise"], last["noise"]))
        lines.append(
            f"gap ({dataset}, rho {rho:g}): {signed(first['gap'])} at mu "
            f"{first['mu']:g} -> {signed(last['gap'])} at mu {last['mu']:g}"
        )
    if shrinks:
        lines.append(
            f"gap smaller (beyond the noise) at the largest mu in {share(shrinks)} "
            "of the series"
        )
        holds = holds and sum(shrinks) > len(shrinks) / 2
    else:
        lines.append("shrinking not checked: no rho with two or more mu values")
    return _result(3, "holds" if holds else "does not hold", lines)


def _more_accurate(stats, acc, a, b):
    pair = acc[[a, b]].dropna()
    margin = _noise_table(stats, "accuracy", a, b).loc[pair.index]
    return pair[a] - pair[b] > margin + 1e-12, pair[a] - pair[b]


def _check_4(stats):
    if "accuracy" not in stats.columns.get_level_values(0):
        return _result(4, "not enough data", "No accuracy column.")
    acc = _imbalanced(_table(stats, "accuracy"))
    if not {"baseline", "thresholding"} <= set(acc.columns):
        return _result(
            4, "not enough data", "Needs both baseline and thresholding runs."
        )
    acc = acc.dropna(subset=["baseline", "thresholding"])
    if acc.empty:
        return _result(4, "not enough data", "No configuration with rho > 1 has both.")
    auc = _table(stats, "roc_auc").loc[acc.index]
    raised, d_acc = _more_accurate(stats, acc, "thresholding", "baseline")
    d_auc = auc["thresholding"] - auc["baseline"]
    lines = [
        f"thresholding more accurate than baseline (beyond the noise) in "
        f"{share(raised)} of the configurations (accuracy change: mean "
        f"{signed(d_acc.mean())}, min {signed(d_acc.min())} points)",
        f"its ROC AUC change (not tested): mean {signed(d_auc.mean())}, largest "
        f"absolute {pct(d_auc.abs().max())} points",
    ]
    holds = raised.mean() > 0.5
    if {"ros", "ros_thresholding"} <= set(acc.columns):
        ros_raised, _ = _more_accurate(stats, acc, "ros_thresholding", "ros")
        if len(ros_raised):
            lines.append(
                f"ROS+thresholding more accurate than ROS in {share(ros_raised)} of "
                "the configurations"
            )
            holds = holds and ros_raised.mean() > 0.5
    paper = [m for m in PAPER_METHODS if m in acc.columns]
    winners = acc[paper].idxmax(axis=1)
    good = winners.isin(["thresholding", "ros_thresholding"])
    counts = ", ".join(f"{m} {n}" for m, n in winners.value_counts().items())
    lines.append(
        f"most accurate method is thresholding or ROS+thresholding in {share(good)} "
        f"of the configurations (most accurate: {counts})"
    )
    holds = holds and good.mean() > 0.5
    return _result(4, "holds" if holds else "does not hold", lines)


def _check_5(results):
    if not {"train_accuracy", "accuracy"} <= set(results.columns):
        return _result(5, "not enough data", "No train_accuracy column.")
    runs = results[results["method"].isin(["baseline", "ros"])]
    runs = runs.assign(gap=runs["train_accuracy"] - runs["accuracy"])
    gap = _imbalanced(_table(config_stats(runs, ("gap",)), "gap"))
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
        f"train - test accuracy: baseline {pct(gap['baseline'].mean())}, ROS "
        f"{pct(gap['ros'].mean())} points (mean over {len(gap)} configurations)",
        f"ROS gap - baseline gap: mean {signed(wider.mean())}, largest "
        f"{signed(wider.max())} points ({describe_config(*wider.idxmax())})",
    ]
    holds = wider.mean() <= WIDER_GAP + 1e-12
    return _result(5, "holds" if holds else "does not hold", lines)


def check_columns(results):
    missing = [c for c in CONFIG + ["method", "roc_auc"] if c not in results.columns]
    if missing:
        raise ValueError(
            f"results lacks the columns {missing}; it has {list(results.columns)}."
        )


def check_conclusions(results):
    """Check the paper's five conclusions against a results table.

    Each conclusion becomes a rule on the scores averaged over repeats (see
    ``rule`` in each entry and the module constants ``TIED``,
    ``MUCH_WORSE_AUC``, ``FEW_MINORITY_MU`` and ``WIDER_GAP``); a difference
    counts only when it exceeds the noise (:func:`noise`). A conclusion whose
    methods or parameter values were not run is ``"not enough data"``.

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
    >>> from skimbalance.study import check_conclusions
    >>> results = pd.DataFrame({
    ...     "dataset": "digits", "imbalance": "step", "rho": [10.0, 10.0, 100.0],
    ...     "mu": 0.5, "method": ["baseline", "ros", "baseline"],
    ...     "roc_auc": [0.99, 0.995, 0.95]})
    >>> [c["verdict"] for c in check_conclusions(results)]
    ['holds', 'holds', 'not enough data', 'not enough data', 'not enough data']
    """
    check_columns(results)
    stats = config_stats(results)
    return [
        _check_1(stats),
        _check_2(stats),
        _check_3(stats),
        _check_4(stats),
        _check_5(results),
    ]


# ------------------------------------------------ which method for this data
RANKED_METRICS = ("roc_auc", "mcc", "pr_auc", "balanced_accuracy")


def rank_methods(results, metric="roc_auc"):
    """Rank the methods of one configuration by ``metric``; say which differences
    from the best exceed the fold-to-fold noise.

    Folds (or repeats) pair the methods: the difference from the best method is
    taken fold by fold, and counts when its mean exceeds
    :func:`noise` of the best's and the method's fold-to-fold standard
    deviations, never less than :data:`TIED`.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of one configuration (one dataset and imbalance), ``repeat``
        numbering the folds.
    metric : str, default="roc_auc"
        The score that ranks.

    Returns
    -------
    ranking : list of dict
        Best first: ``method``, ``mean`` and ``std`` of each of
        :data:`RANKED_METRICS` (``"<metric>"`` and ``"<metric>_std"``), ``folds``,
        ``difference`` (best minus this method, mean over folds), ``noise`` and
        ``worse`` (whether the difference exceeds the noise).

    Examples
    --------
    >>> import pandas as pd
    >>> from skimbalance.study import rank_methods
    >>> results = pd.DataFrame({
    ...     "repeat": [0, 1, 2] * 3,
    ...     "method": ["baseline"] * 3 + ["ros"] * 3 + ["rus"] * 3,
    ...     "roc_auc": [0.90, 0.91, 0.92, 0.95, 0.96, 0.97, 0.949, 0.962, 0.968]})
    >>> [(r["method"], r["worse"]) for r in rank_methods(results)]
    [('ros', False), ('rus', False), ('baseline', True)]
    """
    metrics = [m for m in RANKED_METRICS if m in results.columns]
    by_fold = results.pivot_table(index="repeat", columns="method", values=metric)
    means = by_fold.mean().sort_values(ascending=False)
    best = means.index[0]
    ranking = []
    for method in means.index:
        rows = results[results["method"] == method]
        entry = {"method": method, "folds": int(rows[metric].notna().sum())}
        for m in metrics:
            entry[m], entry[f"{m}_std"] = rows[m].mean(), rows[m].std()
        diff = (by_fold[best] - by_fold[method]).dropna()
        entry["difference"] = float(diff.mean()) if len(diff) else 0.0
        entry["noise"] = noise(metric, by_fold[best].std(), by_fold[method].std())
        entry["worse"] = bool(entry["difference"] > entry["noise"] + 1e-12)
        ranking.append(entry)
    order = {m: i for i, m in enumerate(method_order(means.index))}
    return sorted(ranking, key=lambda e: (-round(e[metric], 12), order[e["method"]]))
