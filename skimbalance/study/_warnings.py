"""Where a study's evidence is thin: the warnings of the report and of stderr.

Each check reads ``results.csv``, ``curves.csv`` and ``study.json`` only, so a
report re-rendered later warns as the run did:

- a class with fewer than :data:`MIN_TEST_PER_CLASS` test examples in a fold
  (its recall, and so every score, moves by ``1/n`` with one image);
- comparisons resting on few paired units (one repeat of the protocol, or
  fewer than :data:`MIN_UNITS` folds in all);
- models that did not learn: a balanced accuracy within a tenth of the way
  from chance (``1/k``) to perfect (:func:`near_chance`), or a learning curve
  still there at half the budget;
- learning rates that diverged and were retried lower;
- thresholding to uniform priors scored on test folds that keep the data's
  own, imbalanced, priors;
- whitening that treats test images unlike training images (the mean norm of
  the whitened test images over that of the training images, ``input_drift``,
  above :data:`MAX_DRIFT`).
"""

from dataclasses import dataclass, field

import numpy as np

from ._methods import THRESHOLDED, method_order
from ._results import describe_config

#: Fewest test examples of a class in a fold before its scores are fragile.
MIN_TEST_PER_CLASS = 20
#: Fewest paired units (repeats x folds) before intervals are called wide.
MIN_UNITS = 5
#: Largest mean-norm ratio of whitened test over training images tolerated.
MAX_DRIFT = 1.1
#: A balanced accuracy below chance + this share of (perfect - chance) is
#: "did not learn".
LEARNED_SHARE = 0.1


@dataclass
class Finding:
    """One warning: what it is about, its text, the methods it flags (with a
    short note for the ranking)."""

    kind: str
    message: str
    methods: dict = field(default_factory=dict)  # method -> short note


def near_chance(balanced_accuracy, n_classes):
    """Whether a balanced accuracy is within a tenth of the way from chance
    (``1 / n_classes``) to perfect.

    >>> near_chance(0.21, 6), near_chance(0.40, 6)
    (True, False)
    """
    chance = 1.0 / n_classes
    return balanced_accuracy < chance + LEARNED_SHARE * (1.0 - chance)


def study_warnings(results, curves=None, settings=None):
    """The warnings of a study, as text (what :func:`warnings_of` finds).

    Parameters
    ----------
    results : pandas.DataFrame
        The rows of ``results.csv``.
    curves : pandas.DataFrame or None
        The rows of ``curves.csv``.
    settings : dict or None
        ``study.json``.

    Returns
    -------
    messages : list of str
    """
    return [w.message for w in warnings_of(results, curves, settings)]


def warnings_of(results, curves=None, settings=None):
    """Every warning of a study, in the order of the module's list.

    Returns
    -------
    warnings : list of Finding
    """
    settings = settings or {}
    n_classes = settings.get("n_classes") or _classes_of(settings)
    found = _thin_classes(settings) + _few_units(results)
    if n_classes:
        found += _not_learned(results, n_classes) + _learned_late(curves, n_classes)
    return (
        found
        + _diverged(results)
        + _uniform_targets(results, settings)
        + _drift(results)
    )


def flags_by_method(warnings):
    """``{method: "note; note"}`` of the methods the warnings flag."""
    notes = {}
    for w in warnings:
        for method, note in w.methods.items():
            notes.setdefault(method, []).append(note)
    return {m: "; ".join(v) for m, v in notes.items()}


def _classes_of(settings):
    counts = settings.get("class_counts") or {}
    return len(counts) or None


def _thin_classes(settings):
    counts = settings.get("test_class_counts") or {}
    thin = {name: n for name, n in counts.items() if n < MIN_TEST_PER_CLASS}
    if not thin:
        return []
    listed = ", ".join(f"'{name}' ({n})" for name, n in thin.items())
    folds = "cross-validation" in settings.get("evaluation", "")
    return [
        Finding(
            "thin classes",
            f"Few test images{' in a fold' if folds else ''} for {listed} (the "
            f"fewest{' in any fold' if folds else ''}; fewer than "
            f"{MIN_TEST_PER_CLASS}): one image moves a class's recall by "
            f"{100 / min(thin.values()):.0f} points, so scores that weigh classes "
            "equally (ROC AUC, balanced accuracy, MCC) are fragile. Collect more "
            "images of these classes, use fewer folds (--folds 2), or add repeats "
            "(--repeats) to average over more splits.",
        )
    ]


def _units(results):
    keys = [c for c in ("repeat", "fold") if c in results.columns]
    return results.groupby(keys).ngroups if keys else 1


def _few_units(results):
    units = _units(results)
    natural = (results["imbalance"] == "natural").all()
    if units >= MIN_UNITS or (not natural and units > 1):
        return []
    if units == 1:
        text = (
            "One repeat: no difference between methods can be told from noise, so "
            "the report gives no verdict. Rerun with --repeats 3 (the rows made "
            "are kept)."
        )
    else:
        text = (
            f"The comparisons rest on {units} paired units (repeats x folds): the "
            "intervals are wide and only large differences are told apart. Add "
            "repeats (--repeats) to narrow them; the rows made are kept."
        )
    return [Finding("few units", text)]


def _not_learned(results, n_classes):
    if "balanced_accuracy" not in results.columns:
        return []
    flagged = results[near_chance(results["balanced_accuracy"], n_classes)]
    if flagged.empty:
        return []
    notes, parts = {}, []
    for method, rows in _by_method(flagged):
        total = (results["method"] == method).sum()
        notes[method] = f"did not learn in {len(rows)}/{total}"
        parts.append(
            f"{method} in {len(rows)} of {total} "
            f"(balanced accuracy {100 * rows['balanced_accuracy'].mean():.0f} %)"
        )
    return [
        Finding(
            "did not learn",
            f"Models that did not learn (balanced accuracy near chance, "
            f"{100 / n_classes:.0f} % for {n_classes} classes): {'; '.join(parts)}. "
            "Their scores rank an untrained network, not the method: raise "
            "--max-iter, or choose the learning rate with --lr-search validation.",
            notes,
        )
    ]


def _learned_late(curves, n_classes):
    """Models whose class-balanced training accuracy was still near chance at
    half the budget (e.g. predicting the majority class)."""
    column = "train_balanced_accuracy"
    if curves is None or column not in curves.columns or curves.empty:
        return []
    keys = [c for c in ("dataset", "imbalance", "rho", "mu", "repeat", "fold", "method")
            if c in curves.columns]  # fmt: skip
    late = []
    for key, model in curves.groupby(keys, dropna=False):
        end = model["iteration"].max()
        middle = model[model["iteration"] >= end / 2].sort_values("iteration")
        if len(middle) and near_chance(middle[column].iloc[0], n_classes):
            late.append((key[-1], int(middle["iteration"].iloc[0]), int(end)))
    if not late:
        return []
    notes, parts = {}, []
    for method in method_order({m for m, *_ in late}):
        mine = [(i, e) for m, i, e in late if m == method]
        notes[method] = f"near chance at half the budget in {len(mine)}"
        parts.append(
            f"{method} in {len(mine)} (at update {mine[0][0]} of {mine[0][1]})"
        )
    return [
        Finding(
            "learned late",
            "Models still near chance on their own training set at half the budget "
            f"(class-balanced training accuracy): {'; '.join(parts)}. They had "
            "half the training of the others: raise --max-iter, or use "
            "--lr-search validation.",
            notes,
        )
    ]


def _diverged(results):
    if "lr_selection" not in results.columns:
        return []
    fallback = results[results["lr_selection"] == "divergence"]
    fallback = fallback[~fallback["method"].isin(list(THRESHOLDED))]
    if fallback.empty:
        return []
    notes, parts = {}, []
    for method, rows in _by_method(fallback):
        rates = ", ".join(f"{r:g}" for r in sorted(rows["lr"].unique()))
        notes[method] = f"lr lowered in {len(rows)}"
        parts.append(f"{method} in {len(rows)} (retrained at lr {rates})")
        for variant, (base, _) in THRESHOLDED.items():
            if base == method and variant in set(results["method"]):
                notes[variant] = f"{method}'s lr lowered in {len(rows)}"
    return [
        Finding(
            "learning rate lowered",
            f"Training diverged and was retried at a tenth of the learning rate: "
            f"{'; '.join(parts)}. Those models trained at another rate than the "
            "others; --lr-search validation chooses each method's rate fairly.",
            notes,
        )
    ]


def _uniform_targets(results, settings):
    uniform = [
        m for m, (_, target) in THRESHOLDED.items()
        if target == "uniform" and m in set(results["method"])
    ]  # fmt: skip
    counts = settings.get("class_counts") or {}
    if not uniform or not counts or not (results["imbalance"] == "natural").all():
        return []
    values = np.array(list(counts.values()), dtype=float)
    ratio = values.max() / values.min()
    if ratio < 1.5:
        return []
    priors = ", ".join(f"{v / values.sum():.3f}" for v in values)
    return [
        Finding(
            "uniform target priors",
            f"{', '.join(uniform)} move{'s' if len(uniform) == 1 else ''} the "
            "decisions to uniform class priors, but "
            "the test folds keep your data's priors (imbalance ratio "
            f"{ratio:.0f}): their accuracy is that of a model tuned for balanced "
            "data, scored on imbalanced data. If you deploy on data with your "
            "data's class frequencies, judge them by balanced accuracy or MCC, or "
            f"threshold to those frequencies: PriorThresholdClassifier("
            f"target_priors=[{priors}]) (or 'em' to estimate them from unlabelled "
            "data, as thresholding_em does).",
            {m: "targets uniform priors" for m in uniform},
        )
    ]


def _drift(results):
    if "input_drift" not in results.columns or results["input_drift"].isna().all():
        return []
    drift = results.groupby(["dataset", "imbalance", "rho", "mu"], dropna=False)[
        "input_drift"
    ].max()
    high = drift[drift > MAX_DRIFT]
    if high.empty:
        return []
    worst = high.idxmax()
    return [
        Finding(
            "whitening drift",
            f"After whitening, test images have up to {high.max():.2f} times the "
            f"mean norm of the training images (in {len(high)} of {len(drift)} "
            f"configurations; worst: {describe_config(*worst)}): the whitening, "
            "fitted on the training set, amplifies directions that set barely "
            "spans. Use more images per class (--n-per-class) so that the "
            "whitening generalises.",
        )
    ]


def _by_method(rows):
    for method in method_order(rows["method"].unique()):
        yield method, rows[rows["method"] == method]
