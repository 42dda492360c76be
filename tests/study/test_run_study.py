"""run_study / `skimbalance study`: rows, resume after a kill, parallel, bad input."""

import csv
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from skimbalance.study import PAPER_METHODS, RESULT_COLUMNS, run_study

FAST = dict(rhos=[10], mus=[0.5], max_iter=5, quiet=True)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    return out, run_study(**{**FAST, "rhos": [10, 20]}, out=out)


def test_one_row_per_method_and_configuration(serial):
    _, results = serial
    assert list(results.columns) == RESULT_COLUMNS
    assert len(results) == 2 * len(PAPER_METHODS)
    assert set(results["method"]) == set(PAPER_METHODS)
    metrics = results[["roc_auc", "accuracy", "pr_auc", "balanced_accuracy"]]
    assert np.all(np.isfinite(metrics.to_numpy()))
    assert results["roc_auc"].between(0, 1).all()


def test_report_and_figures_are_written(serial):
    out, _ = serial
    report = (out / "report.md").read_text()
    assert "## The paper's conclusions" in report
    assert sorted(p.name for p in out.glob("fig3_*.png")) == [
        "fig3_auc_vs_rho_step_mu0.5.png"
    ]


def test_learning_curves_for_figure_8(serial):
    out, results = serial
    curves = pd.read_csv(out / "curves.csv")
    assert set(curves["method"]) == {"baseline", "ros", "rus"}
    per_model = curves.groupby(["rho", "method"])["iteration"].apply(list)
    assert all(its == [1, 2, 3, 4, 5] for its in per_model)  # max_iter=5, 10 points
    final = curves[curves["iteration"] == 5].set_index(["rho", "method"])
    rows = results.set_index(["rho", "method"]).loc[final.index]
    np.testing.assert_allclose(final["test_accuracy"], rows["accuracy"])
    assert len(list(out.glob("fig8_*.png"))) == 2


def test_partial_ratio_methods(tmp_path):
    results = run_study(
        **{**FAST, "methods": ["ros_ratio_4", "rus_ratio_2.5"]}, out=tmp_path
    )
    assert sorted(results["method"]) == ["ros_ratio_4", "rus_ratio_2.5"]
    with pytest.raises(ValueError, match=r"Unknown methods \['ros_ratio_0.5'\]"):
        run_study(**{**FAST, "methods": ["ros_ratio_0.5"]}, out=tmp_path)


def test_thresholding_reuses_the_trained_model(serial):
    _, results = serial
    one = results[results["rho"] == 10].set_index("method")
    for variant, base in [("thresholding", "baseline"), ("ros_thresholding", "ros")]:
        assert one.loc[variant, "fit_seconds"] == one.loc[base, "fit_seconds"]
        assert one.loc[variant, "seed"] == one.loc[base, "seed"]


def test_rerun_skips_finished_rows(serial):
    out, results = serial
    again = run_study(**{**FAST, "rhos": [10, 20]}, out=out)
    pd.testing.assert_frame_equal(again, results)


def test_refuses_to_mix_settings(serial):
    out, _ = serial
    with pytest.raises(ValueError, match=r"other settings .*max_iter.*refusing to mix"):
        run_study(**{**FAST, "max_iter": 6}, out=out)


def test_parallel_gives_the_serial_results(serial, tmp_path):
    _, results = serial
    parallel = run_study(**{**FAST, "rhos": [10, 20]}, out=tmp_path, n_jobs=2)
    key = ["rho", "method"]
    pd.testing.assert_frame_equal(  # all but the timings
        parallel.sort_values(key).reset_index(drop=True).drop(columns="fit_seconds"),
        results.sort_values(key).reset_index(drop=True).drop(columns="fit_seconds"),
        check_exact=False,
        atol=1e-6,
    )


def test_killed_run_resumes_losing_at_most_the_model_in_flight(tmp_path):
    command = [
        sys.executable, "-m", "skimbalance", "study", "--rho", "10,20",
        "--mu", "0.5", "--max-iter", "40", "--quiet", "--out", str(tmp_path),
    ]  # fmt: skip
    path = tmp_path / "results.csv"
    process = subprocess.Popen(command)
    deadline = time.time() + 120
    while time.time() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= 4:
            break
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with open(path, newline="") as f:
        before = list(csv.DictReader(f))
    assert 3 <= len(before) < 2 * len(PAPER_METHODS)
    subprocess.run(command, check=True)
    after = pd.read_csv(path)
    assert len(after) == 2 * len(PAPER_METHODS)
    assert not after.duplicated(["rho", "mu", "repeat", "method"]).any()
    assert after.head(len(before))["method"].tolist() == [r["method"] for r in before]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"dataset": "cifar"}, r"Unknown dataset 'cifar'; expected one of \['digits'"),
        ({"methods": ["ros", "smote"]}, r"Unknown methods \['smote'\].*'baseline'"),
        ({"rhos": [0.5]}, r"rho must be >= 1; got rho=0.5"),
        ({"mus": [1.5]}, r"mu must be in \(0, 1\]; got mu=1.5"),
        ({"imbalance": "ramp"}, r"Unknown imbalance 'ramp'"),
    ],
)
def test_bad_arguments(tmp_path, params, message):
    with pytest.raises(ValueError, match=message):
        run_study(**{**FAST, **params}, out=tmp_path)
    assert not (tmp_path / "results.csv").exists()


def test_unwritable_out(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="is not a writable folder"):
        run_study(**FAST, out=blocker / "results")


def test_cli_reports_errors(tmp_path, capsys):
    from skimbalance.__main__ import main

    assert main(["study", "--dataset", "cifar", "--out", str(tmp_path)]) == 2
    assert "Unknown dataset 'cifar'" in capsys.readouterr().err


@pytest.mark.slow
def test_dask_cluster_gives_the_serial_results(serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    _, results = serial
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        on_dask = run_study(
            **{**FAST, "rhos": [10, 20]},
            out=tmp_path,
            scheduler=cluster.scheduler_address,
        )
    key = ["rho", "method"]
    pd.testing.assert_frame_equal(
        on_dask.sort_values(key).reset_index(drop=True).drop(columns="fit_seconds"),
        results.sort_values(key).reset_index(drop=True).drop(columns="fit_seconds"),
    )
