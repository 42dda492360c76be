"""report.md, the checks of the paper's conclusions, and the PNG figures.

The results frames are synthetic, with effects large against their noise, so
each verdict is known in advance.
"""

import math

import numpy as np
import pandas as pd
import pytest

from skimbalance.study import check_conclusions, write_report
from skimbalance.study._methods import (
    ADDED_METHODS,
    PAPER_METHODS,
    method_order,
)
from skimbalance.study._methods import ratio_method as ratio_of

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _scores(method, rho, mu):
    """Mean (roc_auc, accuracy, train_accuracy) of a method, as in the paper."""
    lr = math.log10(rho)
    mu = 0.5 if math.isnan(mu) else mu
    base_drop = 0.004 * lr * (1 + 3 * mu)
    auc = {
        "baseline": 0.995 - base_drop,
        "ros": 0.995 - 0.3 * base_drop,
        # RUS trains on the same small subset whatever mu: flat in mu.
        "rus": 0.995 - (0.005 + 0.012 * lr if rho > 1 else 0.0),
    }
    auc["two_phase_ros"] = (auc["baseline"] + auc["ros"]) / 2 - 0.001
    auc["two_phase_rus"] = (auc["baseline"] + auc["rus"]) / 2
    for name in ("thresholding", "ros_thresholding", "rus_thresholding"):
        auc[name] = auc[name.replace("thresholding", "").strip("_") or "baseline"]
    base_acc = 0.98 - 0.03 * lr * (1 + 2 * mu)
    acc = {
        "baseline": base_acc,
        "ros": 0.98 - 0.01 * lr * (1 + mu),
        "rus": 0.98 - 0.04 * lr,
    }
    acc["thresholding"] = base_acc + 0.7 * (0.98 - base_acc)
    acc["ros_thresholding"] = acc["ros"] + 0.9 * (0.98 - acc["ros"])
    acc["rus_thresholding"] = acc["rus"] - 0.01
    acc["two_phase_ros"] = (acc["baseline"] + acc["ros"]) / 2
    acc["two_phase_rus"] = (acc["baseline"] + acc["rus"]) / 2
    for offset, name in enumerate(ADDED_METHODS):
        auc[name] = auc["ros"] - 0.002 * (offset + 1)
        acc[name] = acc["ros"] - 0.005 * (offset + 1)
    ratio = ratio_of(method)
    if ratio is not None:
        kind, r = ratio
        share = math.log10(rho / r) / lr if rho > 1 else 1.0
        a = auc["baseline"] + share * (auc[kind] - auc["baseline"])
        return a, acc["baseline"], acc["baseline"] + 0.01
    gap = 0.012 if method in ("baseline", "ros") else 0.02
    return auc[method], acc[method], min(acc[method] + gap, 1.0)


def make_results(
    *,
    rhos=(1, 10, 100, 1000),
    mus=(0.2, 0.5, 0.8),
    methods=PAPER_METHODS,
    repeats=3,
    imbalance="step",
    dataset="digits",
    seed=0,
):
    """A results.csv frame in which every conclusion of the paper holds."""
    rng = np.random.default_rng(seed)
    mus = [math.nan] if imbalance == "linear" else list(mus)
    rows = []
    for rho in rhos:
        for mu in mus:
            for repeat in range(repeats):
                for method in methods:
                    auc, acc, train = _scores(method, float(rho), mu)
                    auc, acc = (v + rng.normal(0, 0.0005) for v in (auc, acc))
                    rows.append(
                        dict(
                            dataset=dataset,
                            imbalance=imbalance,
                            rho=float(rho),
                            mu=mu,
                            repeat=repeat,
                            method=method,
                            roc_auc=min(auc, 1.0),
                            accuracy=min(acc, 1.0),
                            mcc=2 * acc - 1,
                            pr_auc=auc - 0.02,
                            balanced_accuracy=acc,
                            train_accuracy=train,
                            fit_seconds=1.5,
                            seed=repeat,
                        )  # fmt: skip
                    )
    return pd.DataFrame(rows)


def make_curves(configs=((1000.0, 0.5),), repeats=2, overfit=(), seed=0):
    """A curves.csv frame: accuracy rising over 1000 iterations; the
    class-balanced train - test gap constant, or for the methods in
    ``overfit`` widening in the second half of training."""
    rng = np.random.default_rng(seed)
    rows = []
    for rho, mu in configs:
        for repeat in range(repeats):
            for method, final in (("baseline", 0.8), ("ros", 0.95), ("rus", 0.9)):
                for it in range(0, 1001, 100):
                    test = final * (1 - math.exp(-it / 200)) + 0.002 * repeat
                    test += rng.normal(0, 0.001)
                    gap = 0.02 + (0.08 * max(it - 500, 0) / 500 if method in overfit
                                  else 0.0)  # fmt: skip
                    rows.append(
                        dict(
                            dataset="digits",
                            imbalance="step",
                            rho=rho,
                            mu=mu,
                            repeat=repeat,
                            method=method,
                            iteration=it,
                            train_accuracy=min(test + 0.1, 1.0),
                            train_balanced_accuracy=min(test + gap, 1.0),
                            test_accuracy=test,
                            test_balanced_accuracy=test,
                        )  # fmt: skip
                    )
    return pd.DataFrame(rows)


#: The imbalanced configurations of :func:`make_results`, for curves.
IMBALANCED = [(rho, mu) for rho in (10.0, 100.0, 1000.0) for mu in (0.2, 0.5, 0.8)]


def _set(results, method, column, values):
    """A copy of ``results`` with ``column`` of ``method``'s rows replaced."""
    results = results.copy()
    rows = results["method"] == method
    if callable(values):
        values = values(results.loc[rows])
    results.loc[rows, column] = values
    return results


def _verdicts(results, curves=None):
    return {c["number"]: c["verdict"] for c in check_conclusions(results, curves)}


@pytest.fixture(scope="module")
def results():
    return make_results()


@pytest.fixture(scope="module")
def curves():
    return make_curves(IMBALANCED, repeats=3)


def test_all_conclusions_hold_on_paper_like_results(results, curves):
    conclusions = check_conclusions(results, curves)
    assert [c["number"] for c in conclusions] == [1, 2, 3, 4, 5]
    assert {c["number"]: c["verdict"] for c in conclusions} == dict.fromkeys(
        range(1, 6), "holds"
    )
    for c in conclusions:
        assert c["statement"] and c["rule"] and c["evidence"]
        assert c["repeats"] == 3


def test_conclusion_1_fails_when_imbalance_helps(results):
    better = _set(
        results, "baseline", "roc_auc", lambda r: 0.9 + 0.01 * np.log10(r["rho"])
    )
    assert _verdicts(better)[1] == "does not hold"


def test_conclusion_1_fails_when_more_minority_classes_help(results):
    # Decreasing in rho, but increasing in mu at every rho > 1.
    better = _set(
        results,
        "baseline",
        "roc_auc",
        lambda r: 0.99 - 0.01 * np.log10(r["rho"]) * (1.5 - r["mu"]),
    )
    assert _verdicts(better)[1] == "does not hold"


def test_conclusion_1_needs_several_rho(results):
    one_rho = results[results["rho"] == 100]
    assert _verdicts(one_rho)[1] == "not enough data"


def test_conclusion_1_on_linear_imbalance_only():
    linear = make_results(imbalance="linear", methods=("baseline", "ros"))
    assert linear["mu"].isna().all()
    verdicts = _verdicts(linear)
    assert verdicts[1] == "holds"
    evidence = check_conclusions(linear)[0]["evidence"]
    assert any("mu part not checked" in line for line in evidence)


def test_conclusion_2_fails_when_ros_is_much_worse_than_baseline(results):
    worse = _set(results, "ros", "roc_auc", lambda r: r["roc_auc"] - 0.03)
    assert _verdicts(worse)[2] == "does not hold"


def test_conclusion_2_fails_when_ros_is_seldom_best(results):
    # Two-phase ROS 0.01 above ROS everywhere: ROS never within 0.005 of best.
    ros = results.loc[results["method"] == "ros", "roc_auc"].to_numpy()
    better = _set(results, "two_phase_ros", "roc_auc", ros + 0.01)
    assert _verdicts(better)[2] == "does not hold"


def test_conclusion_3_fails_when_rus_beats_baseline(results):
    base = results.loc[results["method"] == "baseline", "roc_auc"].to_numpy()
    better = _set(results, "rus", "roc_auc", base + 0.002)
    assert _verdicts(better)[3] == "does not hold"


def test_conclusion_3_needs_few_minority_classes(results):
    many = results[results["mu"] > 0.5]
    assert _verdicts(many)[3] == "not enough data"


def test_conclusion_4_fails_when_thresholding_lowers_accuracy(results):
    lower = _set(results, "thresholding", "accuracy", lambda r: r["accuracy"] - 0.2)
    lower = _set(lower, "ros_thresholding", "accuracy", lambda r: r["accuracy"] - 0.2)
    assert _verdicts(lower)[4] == "does not hold"


def test_conclusion_4_fails_when_rus_thresholding_is_most_accurate(results):
    best = _set(results, "rus_thresholding", "accuracy", 0.999)
    assert _verdicts(best)[4] == "does not hold"


def test_conclusion_5_fails_when_ros_overfits(results):
    overfit = make_curves(IMBALANCED, repeats=3, overfit=("ros",))
    assert _verdicts(results, overfit)[5] == "does not hold"


def test_conclusion_5_needs_the_class_balanced_training_accuracy(results, curves):
    old = curves.drop(columns=["train_balanced_accuracy"])
    assert _verdicts(results, old)[5] == "not enough data"
    evidence = check_conclusions(results, old)[4]["evidence"]
    assert "prior shift" in evidence


def test_one_repeat_gives_no_verdict(results, curves):
    one = results[results["repeat"] == 0]
    verdicts = _verdicts(one, curves[curves["repeat"] == 0])
    assert set(verdicts.values()) == {"not enough repeats to tell"}
    conclusions = check_conclusions(one)
    assert all(c["repeats"] in (1, None) for c in conclusions)


def test_missing_methods_and_columns_give_not_enough_data(results):
    baseline = results[results["method"] == "baseline"]
    assert _verdicts(baseline) == {
        1: "holds",
        2: "not enough data",
        3: "not enough data",
        4: "not enough data",
        5: "not enough data",
    }
    no_train = results.drop(columns=["train_accuracy", "accuracy"])
    verdicts = _verdicts(no_train)
    assert verdicts[4] == verdicts[5] == "not enough data"
    balanced = results[results["rho"] == 1]
    assert set(_verdicts(balanced).values()) == {"not enough data"}


def test_missing_columns_raise(results):
    with pytest.raises(ValueError, match="lacks the columns.*roc_auc"):
        check_conclusions(results.drop(columns="roc_auc"))


def test_method_order_and_ratio_names():
    names = ["rus_ratio_10", "focal", "ros_ratio_2", "ros", "baseline", "zzz"]
    assert method_order(names) == [
        "baseline", "ros", "focal", "ros_ratio_2", "rus_ratio_10", "zzz",
    ]  # fmt: skip
    assert ratio_of("ros_ratio_2.5") == ("ros", 2.5)
    assert ratio_of("rus_ratio_x") is None
    assert ratio_of("ros") is None


def test_report_has_header_tables_and_conclusions(results, curves, tmp_path):
    results = results.assign(max_iter=300)
    path = write_report(results, tmp_path / "report.md", curves=curves)
    text = path.read_text(encoding="utf-8")
    assert "- rho: 1, 10, 100, 1000" in text
    assert "- mu (step imbalance): 0.2, 0.5, 0.8" in text
    assert "- repeats per configuration and method: 3 repeat(s)" in text
    assert "- budget: 300 weight updates" in text
    # 12 configurations x 3 repeats x 8 methods, 3 of them thresholded variants that
    # reuse a trained model (and repeat its fit_seconds, 1.5 s each here)
    assert "- scored models: 288, of which 180 trained" in text
    assert "- total training time: 4.5 min" in text
    assert "### digits, step, rho 100, mu 0.5" in text
    assert "| method | n | ROC AUC | accuracy | MCC |" in text
    # 4 rho x 3 mu configurations, one table each, one bold best per table.
    assert text.count("| method | n |") == 12
    ros_row = next(
        line
        for line in text.split("### digits, step, rho 1000, mu 0.8")[1].splitlines()
        if line.startswith("| ros |")
    )
    assert ros_row.count("**") == 2 and " ± " in ros_row
    assert "## Train and test accuracy over iterations" in text
    assert "## The paper's conclusions" in text
    for number in range(1, 6):
        assert f"### {number}. " in text
    assert text.count("**Verdict: holds.** (3 repeat(s))") == 5
    assert "| 2 | Oversampling is the best" in text and "| holds | 3 |" in text
    assert text.count("Rule: ") == 5


def test_report_budget_from_settings_and_single_repeat(tmp_path):
    results = make_results(rhos=(10,), mus=(0.5,), repeats=1)
    path = write_report(results, tmp_path / "r.md", settings={"max_iter": 50})
    text = path.read_text(encoding="utf-8")
    assert "- budget: 50 weight updates" in text
    tables = text.split("## Results")[1].split("## The paper's conclusions")[0]
    assert "| ros | 1 |" in tables and " ± " not in tables
    assert "**Verdict: not enough repeats to tell.** (1 repeat(s))" in text
    assert "One repeat: no difference between methods can be told" in text


# ---------------------------------------------------------------- plots


def _check_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 10_000  # axes, lines and a legend, not an empty canvas


def _full_results():
    results = make_results(methods=PAPER_METHODS + ADDED_METHODS, repeats=2)
    ratios = make_results(
        rhos=(1000,),
        mus=(0.5,),
        methods=(
            "ros_ratio_2",
            "ros_ratio_10",
            "ros_ratio_100",
            "rus_ratio_2",
            "rus_ratio_10",
            "rus_ratio_100",
        ),  # fmt: skip
        repeats=2,
    )
    linear = make_results(
        imbalance="linear", methods=("baseline", "ros", "rus"), repeats=2
    )
    return pd.concat([results, ratios, linear], ignore_index=True)


def test_plot_study_writes_every_figure(tmp_path):
    pytest.importorskip("matplotlib")
    from skimbalance.study._plots import plot_study

    paths = plot_study(_full_results(), tmp_path / "plots", curves=make_curves())
    names = sorted(p.name for p in paths)
    # the paper's eight methods in the paper's figures, the additions apart
    assert names == sorted(
        [f"fig3_auc_vs_rho_step_mu{mu}{t}.png" for mu in (0.2, 0.5, 0.8)
         for t in ("", "_added_methods")]
        + [f"fig4_auc_vs_minority_classes_rho{rho}{t}.png" for rho in (10, 100, 1000)
           for t in ("", "_added_methods")]
        + ["fig5_auc_vs_rho_linear.png"]
        + [f"fig6_accuracy_vs_rho_mu{mu}{t}.png" for mu in (0.2, 0.5, 0.8)
           for t in ("", "_added_methods")]
        + ["fig7_partial_ratios_rho1000_mu0.5.png", "fig8_train_test_accuracy.png"]
    )  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == names
    for path in paths:
        _check_png(path)


def test_paper_figures_draw_the_papers_methods_with_error_bars(tmp_path):
    pytest.importorskip("matplotlib")
    from skimbalance.study import _plots

    drawn = []
    original = _plots._draw

    def spy(ax, x, mean, ci, *, label, **kwargs):
        drawn.append((ax.figure, label, np.asarray(ci, dtype=float)))
        return original(ax, x, mean, ci, label=label, **kwargs)

    results = make_results(rhos=(10, 100), mus=(0.5,),
                           methods=("baseline", "ros", "focal"))  # fmt: skip
    _plots._draw = spy
    try:
        paths = _plots.plot_study(results, tmp_path)
    finally:
        _plots._draw = original
    assert [p.name for p in paths] == [
        "fig3_auc_vs_rho_step_mu0.5.png",
        "fig3_auc_vs_rho_step_mu0.5_added_methods.png",
        "fig6_accuracy_vs_rho_mu0.5.png",
        "fig6_accuracy_vs_rho_mu0.5_added_methods.png",
    ]
    figures = list(dict.fromkeys(f for f, *_ in drawn))
    labels = [[label for f, label, _ in drawn if f is fig] for fig in figures]
    assert labels == [["baseline", "ros"], ["baseline", "ros", "focal"]] * 2
    # error bars: the 95 % interval of the mean of 3 repeats, t quantile 4.30
    rows = results[(results["method"] == "ros") & (results["rho"] == 10)]
    expected = 4.303 * rows["roc_auc"].std() / np.sqrt(3)
    assert drawn[1][2][0] == pytest.approx(expected, rel=1e-3)


def test_plot_study_lists_figures_in_numeric_order(tmp_path):
    pytest.importorskip("matplotlib")
    from skimbalance.study._plots import plot_study

    results = make_results(rhos=(2, 10, 50), mus=(0.2, 0.5), methods=("baseline",))
    fig4 = [p.name for p in plot_study(results, tmp_path) if "fig4" in p.name]
    # rho 2 before rho 10, as a reader expects (not "rho10" < "rho2").
    assert fig4 == [f"fig4_auc_vs_minority_classes_rho{r}.png" for r in (2, 10, 50)]


def test_plot_study_skips_figures_without_data(tmp_path):
    pytest.importorskip("matplotlib")
    from skimbalance.study._plots import plot_study

    one_rho = make_results(rhos=(100,), methods=("baseline", "ros"), repeats=1)
    paths = plot_study(one_rho, tmp_path)
    # Only Figure 4 (several mu at one rho) has data; no ratios, no curves.
    assert [p.name for p in paths] == ["fig4_auc_vs_minority_classes_rho100.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in paths]

    one_cell = make_results(rhos=(100,), mus=(0.5,), repeats=1)
    assert plot_study(one_cell, tmp_path / "none") == []
    assert list((tmp_path / "none").iterdir()) == []


def test_plot_study_names_datasets_and_curve_configurations(tmp_path):
    pytest.importorskip("matplotlib")
    from skimbalance.study._plots import plot_study

    both = pd.concat(
        [
            make_results(
                rhos=(10, 100),
                mus=(0.5,),
                methods=("baseline",),
                repeats=1,
                dataset=name,
            )  # fmt: skip
            for name in ("digits", "mnist")
        ]
    )
    curves = make_curves(configs=((10.0, 0.5), (100.0, 0.5)), repeats=1)
    names = [p.name for p in plot_study(both, tmp_path, curves=curves)]
    assert "fig3_auc_vs_rho_step_mu0.5_digits.png" in names
    assert "fig3_auc_vs_rho_step_mu0.5_mnist.png" in names
    assert "fig8_train_test_accuracy_digits_step_rho100_mu0.5.png" in names
    assert not any(name.startswith("fig4") for name in names)


def test_method_styles_are_distinct_and_stable():
    from skimbalance.study._plots import STYLES, method_style

    assert len(set(STYLES.values())) == len(STYLES)
    assert set(STYLES) == set(PAPER_METHODS + ADDED_METHODS)
    assert method_style("ros_ratio_10") == STYLES["ros"]
    assert method_style("new_method") == method_style("new_method")


# ---------------------------------------------------- ranking your own data
def _natural_results():
    """Two repeats of 3-fold cross-validation of a user's data (units of 64
    training and 32 test images). ROS is 0.8 points above the baseline in every
    unit, give or take 0.1: small, consistent. RUS is 3 points above it on
    average, but its units swing by 10 points: large, noise. Thresholding has
    the baseline's AUC and the best balanced accuracy."""
    baseline = np.array([0.900, 0.910, 0.905, 0.895, 0.915, 0.902])
    rus_swing = np.array([0.12, -0.08, 0.10, -0.07, 0.11, 0.00])
    by_method = {  # roc_auc per unit, balanced_accuracy per unit
        "baseline": (baseline, np.full(6, 0.51)),
        "ros": (baseline + 0.008 + np.array([0.001, -0.001, 0, 0.001, -0.001, 0]),
                np.full(6, 0.61)),
        "thresholding": (baseline, np.array([0.70, 0.71, 0.72, 0.71, 0.70, 0.72])),
        "rus": (baseline + 0.03 + rus_swing - rus_swing.mean(), np.full(6, 0.55)),
    }  # fmt: skip
    rows = []
    for method, (aucs, balanced) in by_method.items():
        for unit, (auc, bal) in enumerate(zip(aucs, balanced)):
            rows.append(
                {
                    "dataset": "mine",
                    "imbalance": "natural",
                    "rho": np.nan,
                    "mu": np.nan,
                    "repeat": unit // 3,
                    "fold": unit % 3,
                    "method": method,
                    "n_train": 64,
                    "n_test": 32,
                    "roc_auc": auc,
                    "mcc": auc - 0.3,
                    "pr_auc": auc - 0.2,
                    "balanced_accuracy": bal,
                }
            )
    return pd.DataFrame(rows)


def test_small_consistent_difference_is_better_large_noisy_one_cannot_tell():
    from skimbalance.study import rank_methods

    ranking = {r["method"]: r for r in rank_methods(_natural_results())}
    ros, rus = ranking["ros"]["vs_baseline"], ranking["rus"]["vs_baseline"]
    assert ros.difference == pytest.approx(0.008) and ros.verdict == "better"
    assert ros.low > 0.005 and ros.units == 6
    assert rus.difference == pytest.approx(0.03) and rus.verdict == "cannot tell"
    assert rus.low < 0 < rus.high
    # thresholding ranks each class as the baseline does: no difference at all
    assert ranking["thresholding"]["vs_baseline"].difference == 0
    assert ranking["thresholding"]["vs_baseline"].verdict == "cannot tell"


def test_the_correction_for_overlapping_folds_widens_the_interval():
    from skimbalance.study import paired

    a, b = [0.91, 0.93, 0.92, 0.94], [0.90, 0.91, 0.915, 0.92]
    plain, corrected = paired(a, b, test_fraction=0), paired(a, b, test_fraction=0.5)
    assert plain.difference == corrected.difference
    assert corrected.high - corrected.low > plain.high - plain.low
    assert corrected.p > plain.p


def test_holm_controls_the_family_and_min_effect_bounds_it():
    from skimbalance.study import decide, paired

    tiny = paired([0.902, 0.9031, 0.9042], [0.900, 0.901, 0.902], test_fraction=0)
    assert tiny.p < 0.05  # significant, but a fifth of a point
    assert decide([tiny])[0].verdict == "cannot tell"
    assert decide([tiny], min_effect=0.001)[0].verdict == "better"
    # p = 0.03 alone is "better"; among three such comparisons, Holm says no
    c = paired([0.93, 0.95, 0.97], [0.90, 0.91, 0.92], test_fraction=0)
    assert 0.02 < c.p < 0.05
    assert decide([c])[0].verdict == "better"
    assert [d.verdict for d in decide([c, c, c])] == ["cannot tell"] * 3


def test_natural_report_gives_verdicts_with_intervals(tmp_path):
    text = write_report(_natural_results(), tmp_path / "report.md").read_text()
    assert "**For this data: rus** has the best mean ROC AUC" in text
    ros_row = next(line for line in text.splitlines() if line.startswith("| 2 | ros"))
    assert "+0.80 [+0.6" in ros_row and "better" in ros_row
    rus_row = next(line for line in text.splitlines() if line.startswith("| 1 | rus"))
    assert "+3.00 [-" in rus_row and "cannot tell" in rus_row
    assert "Better than the baseline: ros." in text
    assert "| balanced accuracy | thresholding (71.00 ± 0.89) | none |" in text
    assert "Nadeau & Bengio" in text
    assert "## The paper's conclusions" not in text
    # The report is the answer already: no advice to go and run it.
    assert "--imbalance natural`." not in text.split("## What to use")[1]
