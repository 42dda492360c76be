"""The rules: the paper's five conclusions, and "which method for this data".

:func:`check_conclusions` turns the five conclusions of Buda, Maki & Mazurowski
(2018) into rules on ``results.csv``; :func:`rank_methods` ranks the methods on
a user's own data. Every comparison in both is a paired comparison over the
repeats (or folds) by :mod:`._compare`: a mean difference with an interval,
Holm-adjusted across the comparisons a verdict rests on, and a minimal effect
below which nothing is better or worse. With a single repeat nothing can be
told apart from noise, and the verdict says so.

The units of the paper's protocol (repeats: independent draws of the training
set and seeds, scored on the dataset's one test set) are compared with the
plain paired t, which holds conditionally on the pool and the test set; the
folds of a cross-validation share most of their training examples, so their
intervals get the Nadeau-Bengio correction (``n_test / n_train``, see
:func:`test_fraction`).
"""

import math

import numpy as np

from ._compare import ALPHA, MIN_EFFECT, TOO_FEW, decide, paired, unpaired
from ._methods import PAPER_METHODS, THRESHOLDED, method_order
from ._results import CONFIG, describe_config

#: Non-inferiority margin of conclusion 2 ("never much worse", "tied-best"):
#: within one point of ROC AUC.
MARGIN_AUC = 0.01
FEW_MINORITY_MU = 0.5  # conclusion 3: "not many minority classes"
#: Conclusion 5: ROS's train-test gap may widen by up to two points more than
#: the baseline's between the middle and the end of training.
MARGIN_GAP = 0.02
#: Verdicts said of differences that are not "a method's score minus another's".
RUS_WORDS = {"better": "RUS worse", "worse": "RUS better"}
GAP_WORDS = {"better": "ROS's widens more", "worse": "ROS's widens less"}
_MAX_LISTED = 10  # configurations listed one by one in the evidence, at most
VERDICTS = ("holds", "does not hold", "cannot tell", TOO_FEW, "not enough data")


# ------------------------------------------------------------------ numbers
def pct(value):
    """A score in percent, two decimals."""
    return f"{100 * value:.2f}"


def signed(value):
    """A difference in points with its sign; never "-0.00"."""
    return f"{round(100 * value, 2) + 0.0:+.2f}"


def share(flags):
    flags = list(flags)
    if not flags:
        return "0/0"
    return f"{sum(flags)}/{len(flags)} ({100 * sum(flags) / len(flags):.0f} %)"


def test_fraction(rows):
    """The Nadeau-Bengio correction of a set of rows: ``n_test / n_train`` when
    their units are folds of a cross-validation (overlapping training sets);
    0 (the plain paired t) for repeats scored on one fixed test set, or when
    the rows do not say."""
    folds = "fold" in rows.columns and rows["fold"].nunique() > 1
    if not folds or not {"n_train", "n_test"} <= set(rows.columns):
        return 0.0
    ratio = (rows["n_test"] / rows["n_train"]).replace([np.inf, -np.inf], np.nan)
    return float(ratio.mean()) if ratio.notna().any() else 0.0


def units(rows):
    """The columns that number the paired units of a configuration."""
    return [c for c in ("repeat", "fold") if c in rows.columns]


def scores_by_unit(rows, metric):
    """Methods (columns) by units (rows: repeat and fold) of one metric."""
    return rows.pivot_table(index=units(rows), columns="method", values=metric)


def compare(rows, a, b, metric, alpha=ALPHA):
    """Paired comparison of methods ``a`` and ``b`` on ``rows`` (one
    configuration), not yet decided."""
    table = scores_by_unit(rows, metric)
    if a not in table or b not in table:
        return paired([], [], test_fraction=0.0)
    return paired(table[a], table[b], test_fraction=test_fraction(rows), alpha=alpha)


def configurations(results, methods=(), imbalanced=True):
    """``(config, rows)`` of each configuration with every one of ``methods``
    (and rho > 1 when ``imbalanced``), in order."""
    for config, rows in results.groupby(CONFIG, dropna=False, sort=True):
        if imbalanced and not (rows["rho"].iloc[0] > 1):
            continue
        if set(methods) <= set(rows["method"]):
            yield config, rows


def repeats_of(results):
    """The fewest paired units (repeats, or repeats x folds) of any
    configuration and method."""
    key = units(results)
    counts = results.groupby(CONFIG + ["method"], dropna=False)[key].apply(
        lambda rows: len(rows.drop_duplicates())
    )
    return int(counts.min()) if len(counts) else 0


# ---------------------------------------------------------- the conclusions
_CONCLUSIONS = {
    1: (
        "Imbalance hurts ROC AUC, more with larger rho and more minority classes.",
        "For each dataset, imbalance type and mu with two or more rho values, the "
        "baseline's ROC AUC at the smallest rho against the largest; for each rho "
        "> 1 (step imbalance) with two or more mu values, at the smallest mu "
        "against the largest (Welch intervals over the repeats, which are "
        "independent draws). Holds when the AUC is higher at the smaller rho in "
        "more than half of the series (and at the smaller mu, when there are mu "
        "series); does not hold when it is lower in more than half.",
    ),
    2: (
        "Oversampling is the best or tied-best method in almost all cases, and "
        "never much worse than baseline.",
        "In configurations with rho > 1, ROS against each other of the paper's "
        "trained methods run (a thresholded variant has its model's ROC AUC), "
        "paired over the repeats. ROS is beaten where another method "
        "is better; it is best or tied-best where every other method's advantage "
        f"is below {100 * MARGIN_AUC:.0f} point with 95 % confidence (the upper "
        "end of the interval). Holds when ROS is best or tied-best in at least 80 "
        "% of the configurations and the baseline is nowhere better by more than "
        f"{100 * MARGIN_AUC:.0f} point; does not hold when ROS is beaten in more "
        "than 20 % of them or the baseline is that much better anywhere.",
    ),
    3: (
        "Undersampling is often worse than baseline, except with many minority "
        "classes.",
        f"Step imbalance, rho > 1. With mu <= {FEW_MINORITY_MU} at least half the "
        "classes are majority classes that RUS cuts down to the minority count: "
        "the baseline against RUS, paired over the repeats. Holds when RUS is "
        f"worse in more than half of the configurations with mu <= "
        f"{FEW_MINORITY_MU} and the gap (baseline - RUS) is larger at the smallest "
        "mu than at the largest in more than half of the (dataset, rho) series "
        "(Welch intervals; skipped, and said so, without such a series); does not "
        "hold when RUS is as good or better with confidence in more than half of "
        "those configurations, or the gap is larger at the largest mu in more than "
        "half of the series.",
    ),
    4: (
        "Thresholding raises accuracy (not AUC); best combined with baseline or "
        "oversampling.",
        "In configurations with rho > 1, paired over the repeats: thresholding "
        "against the baseline's accuracy, and ROS+thresholding against ROS's "
        "(when run). Holds when each is more accurate in more than half of the "
        "configurations and the most accurate of the paper's methods run is "
        "thresholding or ROS+thresholding (no other more accurate with "
        "confidence) in more than half; does not hold when thresholding is less "
        "accurate than the baseline in more than half. Thresholding's ROC AUC is "
        "scored on the prior-divided scores, which rank each class as the "
        "model's probabilities do: it equals the baseline's by construction.",
    ),
    5: (
        "Oversampling does not overfit CNNs (train/test gap does not widen).",
        "From the learning curves: the gap between the class-balanced accuracy on "
        "the training set and on the test set, at the end of training minus at "
        "its middle (how much it widens), for ROS minus for the baseline, paired "
        "over the repeats. Holds when ROS's gap widens by less than "
        f"{100 * MARGIN_GAP:.0f} points more than the baseline's with 95 % "
        "confidence in at least half of the configurations and significantly more "
        "in none; does not hold when it widens significantly more in more than "
        "half of them.",
    ),
}


def _result(number, verdict, evidence, repeats=None):
    statement, rule = _CONCLUSIONS[number]
    assert verdict in VERDICTS, verdict
    return {
        "number": number,
        "statement": statement,
        "rule": rule,
        "verdict": verdict,
        "evidence": evidence,
        "repeats": repeats,
    }


def _listed(lines, items, describe):
    for item in items[:_MAX_LISTED]:
        lines.append(describe(item))
    if len(items) > _MAX_LISTED:
        lines.append(f"... and {len(items) - _MAX_LISTED} more")


def _check_1(results, alpha, min_effect):
    base = results[results["method"] == "baseline"]
    if base.empty:
        return _result(1, "not enough data", "No baseline runs.")
    rho_series, mu_series = [], []
    for key, group in base.groupby(["dataset", "imbalance", "mu"], dropna=False):
        rhos = sorted(group["rho"].unique())
        if len(rhos) >= 2:
            low, high = (
                group[group["rho"] == r]["roc_auc"] for r in (rhos[0], rhos[-1])
            )
            rho_series.append((key, rhos, unpaired(low, high, alpha=alpha)))
    step = base[(base["imbalance"] == "step") & (base["rho"] > 1)]
    for key, group in step.groupby(["dataset", "rho"]):
        mus = sorted(group["mu"].unique())
        if len(mus) >= 2:
            low, high = (group[group["mu"] == m]["roc_auc"] for m in (mus[0], mus[-1]))
            mu_series.append((key, mus, unpaired(low, high, alpha=alpha)))
    if not rho_series:
        return _result(
            1, "not enough data", "No dataset/mu with two or more rho values."
        )
    decided = decide([c for *_, c in rho_series + mu_series], alpha=alpha,
                     min_effect=min_effect)  # fmt: skip
    by_rho, by_mu = decided[: len(rho_series)], decided[len(rho_series) :]
    lines = []
    for ((dataset, imbalance, mu), rhos, _), c in zip(rho_series, by_rho):
        lines.append(
            f"baseline ROC AUC, rho {rhos[0]:g} minus rho {rhos[-1]:g} "
            f"({describe_config(dataset, imbalance, math.nan, mu)}): "
            f"{c.summary()}"
        )
    for ((dataset, rho), mus, _), c in zip(mu_series, by_mu):
        lines.append(
            f"baseline ROC AUC, mu {mus[0]:g} minus mu {mus[-1]:g} ({dataset}, step, "
            f"rho {rho:g}): {c.summary()}"
        )
    verdict = _majority([by_rho] + ([by_mu] if by_mu else []))
    if not by_mu:
        lines.append("mu part not checked: no rho > 1 with two or more mu values")
    return _result(1, verdict, lines, repeats_of(base))


def _majority(families):
    """holds / does not hold / cannot tell from families of decided comparisons
    where "better" supports the conclusion."""
    if all(c.verdict == TOO_FEW for family in families for c in family):
        return TOO_FEW
    supports = [sum(c.verdict == "better" for c in f) > len(f) / 2 for f in families]
    against = [sum(c.verdict == "worse" for c in f) > len(f) / 2 for f in families]
    if all(supports):
        return "holds"
    if any(against):
        return "does not hold"
    return "cannot tell"


def _check_2(results, alpha, min_effect):
    found = list(configurations(results, ("baseline", "ros")))
    if not found:
        return _result(
            2, "not enough data", "Needs baseline and ROS runs with rho > 1."
        )
    family, against_base = [], []
    for config, rows in found:
        others = [
            m for m in PAPER_METHODS
            if m in set(rows["method"]) and m != "ros" and m not in THRESHOLDED
        ]  # fmt: skip
        for m in others:
            family.append((config, m, compare(rows, m, "ros", "roc_auc", alpha)))
        against_base.append(compare(rows, "baseline", "ros", "roc_auc", alpha))
    decided = decide([c for *_, c in family], alpha=alpha, min_effect=min_effect)
    much = decide(against_base, alpha=alpha, min_effect=MARGIN_AUC)
    if all(c.verdict == TOO_FEW for c in decided):
        return _result(
            2, TOO_FEW, ["one repeat per configuration"], repeats_of(results)
        )
    beaten, tied, lines = {}, {}, []
    for (config, m, _), c in zip(family, decided):
        beaten.setdefault(config, []).append((m, c) if c.verdict == "better" else None)
        ok = c.verdict != TOO_FEW and c.high < MARGIN_AUC
        tied[config] = tied.get(config, True) and ok
    beaten = {k: [b for b in v if b] for k, v in beaten.items()}
    n = len(found)
    n_beaten = sum(bool(v) for v in beaten.values())
    n_tied = sum(tied.values())
    worse_than_base = [
        (config, c) for (config, _), c in zip(found, much) if c.verdict == "better"
    ]
    rivals = sorted({m for _, m, _ in family}, key=PAPER_METHODS.index)
    lines += [
        f"compared against: {', '.join(rivals) or 'no other trained method'} (a "
        "thresholded variant has its model's ROC AUC)",
        f"ROS best or tied-best (every other within {100 * MARGIN_AUC:.0f} point "
        f"with 95 % confidence) in {n_tied}/{n} configurations; beaten in "
        f"{n_beaten}/{n}",
        f"baseline better than ROS by more than {100 * MARGIN_AUC:.0f} point in "
        f"{len(worse_than_base)}/{n} configurations",
    ]
    _listed(
        lines,
        [(k, m, c) for k, v in beaten.items() for m, c in v],
        lambda e: f"{e[1]} beats ROS by {e[2].summary()} ({describe_config(*e[0])})",
    )
    if n_beaten > 0.2 * n or worse_than_base:
        verdict = "does not hold"
    elif n_tied >= 0.8 * n:
        verdict = "holds"
    else:
        verdict = "cannot tell"
    return _result(2, verdict, lines, repeats_of(results))


def _check_3(results, alpha, min_effect):
    step = results[results["imbalance"] == "step"]
    found = [
        (k, r)
        for k, r in configurations(step, ("baseline", "rus"))
        if r["mu"].iloc[0] <= FEW_MINORITY_MU + 1e-12
    ]
    if not found:
        return _result(
            3, "not enough data",
            f"No step-imbalance configuration with rho > 1 and mu <= "
            f"{FEW_MINORITY_MU} has both baseline and RUS.",
        )  # fmt: skip
    decided = decide(
        [compare(r, "baseline", "rus", "roc_auc", alpha) for _, r in found],
        alpha=alpha, min_effect=min_effect,
    )  # fmt: skip
    if all(c.verdict == TOO_FEW for c in decided):
        return _result(3, TOO_FEW, ["one repeat per configuration"], repeats_of(step))
    worse = [c.verdict == "better" for c in decided]
    as_good = [c.verdict != TOO_FEW and c.high < min_effect for c in decided]
    lines = [
        f"RUS worse than baseline with mu <= {FEW_MINORITY_MU} in {share(worse)} of "
        f"the configurations; as good or better with confidence in {share(as_good)}"
    ]
    _listed(
        lines, list(zip(found, decided)),
        lambda e: f"baseline - RUS: {e[1].summary(words=RUS_WORDS)} "
        f"({describe_config(*e[0][0])})",
    )  # fmt: skip
    series = _gap_series(step, alpha)
    shrinks = decide([c for *_, c in series], alpha=alpha, min_effect=min_effect)
    for ((dataset, rho), mus, _), c in zip(series, shrinks):
        lines.append(
            f"gap (baseline - RUS) at mu {mus[0]:g} minus at mu {mus[-1]:g} "
            f"({dataset}, rho {rho:g}): {c.summary()}"
        )
    if not series:
        lines.append("shrinking not checked: no rho with two or more mu values")
    holds = sum(worse) > len(worse) / 2 and (
        not shrinks or sum(c.verdict == "better" for c in shrinks) > len(shrinks) / 2
    )
    fails = sum(as_good) > len(as_good) / 2 or (
        shrinks and sum(c.verdict == "worse" for c in shrinks) > len(shrinks) / 2
    )
    verdict = "holds" if holds else "does not hold" if fails else "cannot tell"
    return _result(3, verdict, lines, repeats_of(step))


def _gap_series(step, alpha):
    """Per (dataset, rho): the baseline - RUS gap, unit by unit, at the
    smallest mu against the largest."""
    series = []
    for (dataset, rho), group in step[step["rho"] > 1].groupby(["dataset", "rho"]):
        mus = sorted(group["mu"].unique())
        if len(mus) < 2:
            continue
        gaps = []
        for mu in (mus[0], mus[-1]):
            table = scores_by_unit(group[group["mu"] == mu], "roc_auc")
            if not {"baseline", "rus"} <= set(table.columns):
                break
            gaps.append(table["baseline"] - table["rus"])
        if len(gaps) == 2:
            series.append(((dataset, rho), mus, unpaired(*gaps, alpha=alpha)))
    return series


def _check_4(results, alpha, min_effect):
    if "accuracy" not in results.columns:
        return _result(4, "not enough data", "No accuracy column.")
    found = list(configurations(results, ("baseline", "thresholding")))
    if not found:
        return _result(
            4, "not enough data", "Needs baseline and thresholding runs with rho > 1."
        )
    raised = decide(
        [compare(r, "thresholding", "baseline", "accuracy", alpha) for _, r in found],
        alpha=alpha, min_effect=min_effect,
    )  # fmt: skip
    if all(c.verdict == TOO_FEW for c in raised):
        return _result(
            4, TOO_FEW, ["one repeat per configuration"], repeats_of(results)
        )
    lines = [
        f"thresholding more accurate than baseline in "
        f"{share(c.verdict == 'better' for c in raised)} of the configurations "
        f"(less accurate in {share(c.verdict == 'worse' for c in raised)})"
    ]
    _listed(
        lines, list(zip(found, raised)),
        lambda e: f"thresholding - baseline accuracy: {e[1].summary()} "
        f"({describe_config(*e[0][0])})",
    )  # fmt: skip
    auc = [
        compare(r, "thresholding", "baseline", "roc_auc", alpha).difference
        for _, r in found
    ]
    lines.append(
        "thresholding - baseline ROC AUC: largest absolute difference "
        f"{pct(np.nanmax(np.abs(auc)))} points (equal by construction)"
    )
    families = [raised]
    with_ros = [
        (k, r) for k, r in found if {"ros", "ros_thresholding"} <= set(r["method"])
    ]
    if with_ros:
        ros = decide(
            [compare(r, "ros_thresholding", "ros", "accuracy", alpha)
             for _, r in with_ros],
            alpha=alpha, min_effect=min_effect,
        )  # fmt: skip
        families.append(ros)
        lines.append(
            "ROS+thresholding more accurate than ROS in "
            f"{share(c.verdict == 'better' for c in ros)} of the configurations"
        )
    best, beaten = _most_accurate(found, alpha, min_effect)
    lines.append(
        "the most accurate method (none more accurate with confidence) is "
        f"thresholding or ROS+thresholding in {share(best)} of the configurations; "
        f"another method is more accurate than both with confidence in "
        f"{share(beaten)}"
    )
    verdict = _majority(families)
    if sum(beaten) > len(beaten) / 2:
        verdict = "does not hold"
    elif verdict == "holds" and not sum(best) > len(best) / 2:
        verdict = "cannot tell"
    return _result(4, verdict, lines, repeats_of(results))


_THRESHOLDED_BEST = ("thresholding", "ros_thresholding")


def _most_accurate(found, alpha, min_effect):
    """Per configuration: whether the most accurate paper method is
    thresholding or ROS+thresholding with no other more accurate with
    confidence, and whether another method is more accurate than each of
    those two with confidence."""
    best, beaten = [], []
    for _, rows in found:
        paper = [m for m in PAPER_METHODS if m in set(rows["method"])]
        means = rows.groupby("method")["accuracy"].mean()[paper]
        top = means.idxmax()
        rivals = decide(
            [compare(rows, m, top, "accuracy", alpha) for m in paper if m != top],
            alpha=alpha, min_effect=min_effect,
        )  # fmt: skip
        best.append(
            top in _THRESHOLDED_BEST and not any(c.verdict == "better" for c in rivals)
        )
        ours = [m for m in _THRESHOLDED_BEST if m in paper]
        over = decide(
            [compare(rows, top, m, "accuracy", alpha) for m in ours],
            alpha=alpha, min_effect=min_effect,
        )  # fmt: skip
        beaten.append(
            top not in _THRESHOLDED_BEST
            and bool(over)
            and all(c.verdict == "better" for c in over)
        )
    return best, beaten


def _check_5(results, curves, alpha, min_effect):
    if curves is not None and "train_balanced_accuracy" in curves.columns:
        curves = curves.dropna(subset=["train_balanced_accuracy"])
    if (
        curves is None
        or "train_balanced_accuracy" not in curves.columns
        or not len(curves)
    ):
        return _result(
            5, "not enough data",
            "The learning curves have no class-balanced training accuracy (the "
            "accuracy on the imbalanced training set compares with the balanced "
            "test set through the prior shift, not overfitting); record curves "
            "with this version.",
        )  # fmt: skip
    curves = curves[curves["method"].isin(["baseline", "ros"])]
    widening = []
    for config, rows in configurations(curves, ("baseline", "ros")):
        table = _widening(rows)
        if {"baseline", "ros"} <= set(table.columns):
            widening.append(
                (
                    config,
                    paired(
                        table["ros"], table["baseline"], test_fraction=0.0, alpha=alpha
                    ),
                )  # fmt: skip
            )
    if not widening:
        return _result(
            5, "not enough data", "No curves of baseline and ROS with rho > 1."
        )
    decided = decide([c for _, c in widening], alpha=alpha, min_effect=min_effect)
    if all(c.verdict == TOO_FEW for c in decided):
        return _result(5, TOO_FEW, ["one repeat per configuration"], repeats_of(curves))
    wider = [c.verdict == "better" for c in decided]
    bounded = [c.verdict != TOO_FEW and c.high < MARGIN_GAP for c in decided]
    lines = [
        f"ROS's gap widens significantly more than the baseline's in {share(wider)} "
        f"of the configurations; by less than {100 * MARGIN_GAP:.0f} points more "
        f"with 95 % confidence in {share(bounded)}"
    ]
    _listed(
        lines, list(zip([k for k, _ in widening], decided)),
        lambda e: f"ROS widening - baseline widening: {e[1].summary(words=GAP_WORDS)} "
        f"({describe_config(*e[0])})",
    )  # fmt: skip
    if sum(wider) > len(wider) / 2:
        verdict = "does not hold"
    elif not any(wider) and sum(bounded) >= len(bounded) / 2:
        verdict = "holds"
    else:
        verdict = "cannot tell"
    return _result(5, verdict, lines, repeats_of(curves))


def _widening(rows):
    """Per method (columns) and unit (rows): the class-balanced train - test
    accuracy gap at the last curve point minus at the middle one (the paper's
    test sets are balanced: their accuracy is class-balanced already)."""
    end = rows["iteration"].max()
    mid = rows.loc[rows["iteration"] >= end / 2, "iteration"].min()
    test = (
        "test_balanced_accuracy"
        if "test_balanced_accuracy" in rows
        else "test_accuracy"
    )
    gap = rows.assign(gap=rows["train_balanced_accuracy"] - rows[test])
    at = {
        i: gap[gap["iteration"] == i].pivot_table(
            index=units(gap), columns="method", values="gap"
        )
        for i in (mid, end)
    }
    return at[end] - at[mid]


def check_columns(results):
    missing = [c for c in CONFIG + ["method", "roc_auc"] if c not in results.columns]
    if missing:
        raise ValueError(
            f"results lacks the columns {missing}; it has {list(results.columns)}."
        )


def check_conclusions(results, curves=None, *, alpha=ALPHA, min_effect=MIN_EFFECT):
    """Check the paper's five conclusions against a results table.

    Each conclusion becomes a rule on paired comparisons over the repeats (see
    ``rule`` in each entry, :func:`~skimbalance.study.paired`,
    :func:`~skimbalance.study.decide` and the module constants
    ``MARGIN_AUC``, ``FEW_MINORITY_MU`` and ``MARGIN_GAP``). With
    one repeat nothing can be told from noise: the verdict is "not enough
    repeats to tell".

    Parameters
    ----------
    results : pandas.DataFrame
        The rows of ``results.csv``: columns ``dataset, imbalance, rho, mu,
        repeat, method, roc_auc`` at least, ``accuracy`` for conclusion 4, and
        ``n_train`` and ``n_test`` for the corrected intervals.
    curves : pandas.DataFrame, default=None
        The rows of ``curves.csv``, with ``train_balanced_accuracy``
        (conclusion 5).
    alpha : float, default=0.05
        Family-wise error rate of each verdict's comparisons.
    min_effect : float, default=0.005
        The smallest difference that counts (score units; half a point).

    Returns
    -------
    conclusions : list of dict
        Five dicts with keys ``number`` (1 to 5), ``statement`` (the
        conclusion), ``rule`` (how it is checked), ``verdict`` (``"holds"``,
        ``"does not hold"``, ``"cannot tell"``, ``"not enough repeats to
        tell"`` or ``"not enough data"``), ``evidence`` (the differences and
        their intervals: a list of str, or one str) and ``repeats`` (the
        fewest repeats of a configuration and method, or None).

    Examples
    --------
    >>> import pandas as pd
    >>> from skimbalance.study import check_conclusions
    >>> results = pd.DataFrame({
    ...     "dataset": "digits", "imbalance": "step", "rho": [10.0] * 4,
    ...     "mu": 0.5, "repeat": [0, 0, 1, 1], "method": ["baseline", "ros"] * 2,
    ...     "roc_auc": [0.98, 0.99, 0.97, 0.985]})
    >>> [c["verdict"] for c in check_conclusions(results)][:2]
    ['not enough data', 'cannot tell']
    """
    check_columns(results)
    if "repeat" not in results.columns:
        results = results.assign(repeat=0)
    return [
        _check_1(results, alpha, min_effect),
        _check_2(results, alpha, min_effect),
        _check_3(results, alpha, min_effect),
        _check_4(results, alpha, min_effect),
        _check_5(results, curves, alpha, min_effect),
    ]


# ------------------------------------------------ which method for this data
RANKED_METRICS = ("roc_auc", "mcc", "pr_auc", "balanced_accuracy")


def rank_methods(results, metric="roc_auc", *, alpha=ALPHA, min_effect=MIN_EFFECT):
    """Rank the methods of one configuration by ``metric``: each against the
    baseline and against the best, paired over folds and repeats.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of one configuration (one dataset and imbalance), ``repeat`` and
        ``fold`` numbering the units, ``n_train`` and ``n_test`` their sizes.
    metric : str, default="roc_auc"
        The score that ranks.
    alpha : float, default=0.05
        Family-wise error rate of each of the two families of comparisons.
    min_effect : float, default=0.005
        The smallest difference that counts.

    Returns
    -------
    ranking : list of dict
        Best mean first: ``method``, ``mean`` and ``std`` of each of
        :data:`RANKED_METRICS` (``"<metric>"`` and ``"<metric>_std"``),
        ``units``, ``vs_baseline`` and ``vs_best`` (a
        :class:`~skimbalance.study.Comparison`, this method minus the
        other; None for the method itself).

    Examples
    --------
    >>> import pandas as pd
    >>> from skimbalance.study import rank_methods
    >>> results = pd.DataFrame({
    ...     "fold": [0, 1, 2] * 3, "n_train": 200, "n_test": 100,
    ...     "method": ["baseline"] * 3 + ["ros"] * 3 + ["rus"] * 3,
    ...     "roc_auc": [0.90, 0.91, 0.92, 0.95, 0.96, 0.97, 0.949, 0.962, 0.968]})
    >>> [(r["method"], r["vs_baseline"] and r["vs_baseline"].verdict)
    ...  for r in rank_methods(results)]
    [('ros', 'better'), ('rus', 'better'), ('baseline', None)]
    """
    metrics = [m for m in RANKED_METRICS if m in results.columns]
    table = scores_by_unit(results, metric)
    means = table.mean()
    order = {m: i for i, m in enumerate(method_order(means.index))}
    ranked = sorted(means.index, key=lambda m: (-round(means[m], 12), order[m]))
    best, fraction = ranked[0], test_fraction(results)

    def family(reference):
        others = [m for m in ranked if m != reference]
        found = [paired(table[m], table[reference], test_fraction=fraction,
                        alpha=alpha) for m in others]  # fmt: skip
        decided = decide(found, alpha=alpha, min_effect=min_effect)
        return dict(zip(others, decided))

    vs_base = family("baseline") if "baseline" in table else {}
    vs_best = family(best)
    ranking = []
    for method in ranked:
        rows = results[results["method"] == method]
        entry = {"method": method, "units": int(table[method].notna().sum())}
        for m in metrics:
            entry[m], entry[f"{m}_std"] = rows[m].mean(), rows[m].std()
        entry["vs_baseline"] = vs_base.get(method)
        entry["vs_best"] = vs_best.get(method)
        ranking.append(entry)
    return ranking


def config_table(results, metrics=("roc_auc", "accuracy")):
    """Mean, std and count of each metric over repeats, per configuration and
    method (a frame with columns ``(metric, stat)``)."""
    metrics = [m for m in metrics if m in results.columns]
    return results.groupby(CONFIG + ["method"], dropna=False)[metrics].agg(
        ["mean", "std", "count"]
    )


__all__ = ["check_conclusions", "rank_methods"]
