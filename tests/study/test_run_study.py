"""run_study / `skimbalance study`: rows, resume after any crash, parallel, the
user's own data, CIFAR-10's protocol, bad input."""

import csv
import fcntl
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import skimbalance.study._run as run_module
from skimbalance.__main__ import main as cli
from skimbalance.study import (
    LR_GRID,
    PAPER_METHODS,
    RESULT_COLUMNS,
    load_study_data,
    run_study,
)
from skimbalance.study._methods import ratio_method
from skimbalance.study._plots import method_style

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
    metrics = results[["roc_auc", "accuracy", "pr_auc", "balanced_accuracy", "mcc"]]
    assert np.all(np.isfinite(metrics.to_numpy()))
    assert (results["net"] == "lenet5").all() and (results["lr"] == 0.01).all()
    assert (results["lr_selection"] == "fixed").all()


def test_report_lists_and_links_every_figure(serial):
    out, _ = serial
    report = (out / "report.md").read_text()
    assert "## The paper's conclusions" in report
    figures = sorted(p.name for p in out.glob("*.png"))
    assert figures and all(f"]({name})" in report for name in figures)
    assert "## What to use" in report and "docs/user_guide/choosing.md" in report


def test_learning_curves_for_figure_8(serial):
    out, results = serial
    curves = pd.read_csv(out / "curves.csv")
    assert set(curves["method"]) == {"baseline", "ros", "rus"}
    per_model = curves.groupby(["rho", "method"])["iteration"].apply(list)
    assert all(its == [1, 2, 3, 4, 5] for its in per_model)
    final = curves[curves["iteration"] == 5].set_index(["rho", "method"])
    rows = results.set_index(["rho", "method"]).loc[final.index]
    np.testing.assert_allclose(final["test_accuracy"], rows["accuracy"])


def test_partial_ratio_names_mean_one_thing_everywhere(tmp_path):
    results = run_study(
        **{**FAST, "methods": ["ros_ratio_4", "rus_ratio_2_5"]}, out=tmp_path
    )
    assert sorted(results["method"]) == ["ros_ratio_4", "rus_ratio_2_5"]
    assert (
        ratio_method("rus_ratio_2_5") == ratio_method("rus_ratio_2.5") == ("rus", 2.5)
    )
    assert method_style("rus_ratio_2_5") == method_style("rus")
    with pytest.raises(ValueError, match=r"Unknown methods \['ros_ratio_0.5'\]"):
        run_study(**{**FAST, "methods": ["ros_ratio_0.5"]}, out=tmp_path / "x")


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


# --------------------------------------------------------- crashes, resumes
def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class _FailOn:
    """Make the n-th trained model fail with ``error`` (in fit)."""

    def __init__(self, monkeypatch, n, error):
        self.calls, self.n, self.error = 0, n, error
        original = run_module._fit_one

        def failing(*args, **kwargs):
            self.calls += 1
            if self.calls == self.n:
                if self.error == "sigterm":
                    os.kill(os.getpid(), signal.SIGTERM)
                raise self.error("failed in training")
            return original(*args, **kwargs)

        monkeypatch.setattr(run_module, "_fit_one", failing)


@pytest.mark.parametrize(
    "error, raised",
    [
        (KeyboardInterrupt, KeyboardInterrupt),
        ("sigterm", KeyboardInterrupt),
        (RuntimeError, RuntimeError),
    ],
    ids=["ctrl-c", "sigterm", "exception"],
)
def test_an_interrupted_model_gets_no_row_and_resumes(
    tmp_path, monkeypatch, error, raised
):
    failing = _FailOn(monkeypatch, 3, error)  # models: baseline, ros, rus, ...
    with pytest.raises(raised):
        run_study(**FAST, out=tmp_path)
    rows = _rows(tmp_path / "results.csv")
    assert [r["method"] for r in rows] == [
        "baseline",
        "thresholding",
        "ros",
        "ros_thresholding",
    ]
    assert not (tmp_path / "report.md").exists()
    failing.n = 0  # no more failures
    results = run_study(**FAST, out=tmp_path)
    assert sorted(results["method"]) == sorted(PAPER_METHODS)
    assert not results.duplicated(["rho", "mu", "repeat", "method"]).any()


def test_cli_exit_codes_for_an_interrupt(tmp_path, monkeypatch, capsys):
    _FailOn(monkeypatch, 1, KeyboardInterrupt)
    argv = ["study", "--rho", "10", "--mu", "0.5", "--max-iter", "5", "--quiet"]
    assert cli([*argv, "--out", str(tmp_path / "out")]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing half-done left behind


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text + "digits,step,10.0,0.5,0,rus,lenet5,0.01,fixed,0.9",
        lambda text: (
            text + "digits,step,10.0,0.5,0,rus,lenet5,0.01,fixed,nan,0.5,"
            "0.5,0.5,0.5,0.5,1.0,7\n"
        ),
        lambda text: text[:-1],  # the last row lost its newline
        lambda text: text[:11],  # torn inside the header: nothing left
    ],
    ids=["torn-mid-line", "nan-metrics", "no-final-newline", "torn-header"],
)
def test_a_damaged_results_file_is_repaired_on_resume(serial, tmp_path, damage):
    out, results = serial
    for name in ("results.csv", "curves.csv", "study.json"):
        (tmp_path / name).write_bytes((out / name).read_bytes())
    path = tmp_path / "results.csv"
    path.write_text(damage(path.read_text()))
    repaired = run_study(**{**FAST, "rhos": [10, 20]}, out=tmp_path)
    assert len(repaired) == len(results)
    assert not repaired.duplicated(["rho", "mu", "repeat", "method"]).any()
    assert np.isfinite(repaired["roc_auc"]).all()
    text = path.read_text()
    assert text.endswith("\n") and all(
        len(line.split(",")) == len(RESULT_COLUMNS) for line in text.splitlines()
    )


def test_a_second_run_on_the_same_folder_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    with open(tmp_path / "out" / ".study.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ValueError, match=r"Another study is running on"):
            run_study(**FAST, out=tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == [tmp_path / "out" / ".study.lock"]


def test_a_full_disk_leaves_no_empty_files(tmp_path, monkeypatch, capsys):
    from skimbalance.study import _results

    def full(self, *args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_results.StudyFolder, "_write", full)
    argv = [
        "study",
        "--rho",
        "10",
        "--mu",
        "0.5",
        "--max-iter",
        "3",
        "--quiet",
        "--methods",
        "baseline",
        "--out",
        str(tmp_path / "out"),
    ]
    assert cli(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("out", ["a-file", "a-file/out"])
def test_a_folder_that_cannot_be_written_is_one_line(tmp_path, capsys, out):
    (tmp_path / "a-file").write_text("not a folder")
    argv = ["study", "--rho", "10", "--mu", "0.5", "--max-iter", "3", "--quiet"]
    assert cli([*argv, "--out", str(tmp_path / out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("skimbalance study: error: ")
    assert (tmp_path / "a-file").read_text() == "not a folder"


def test_a_missing_dataset_offline_is_one_line(tmp_path, monkeypatch, capsys):
    from skimbalance.datasets import _mnist

    monkeypatch.setenv("SKIMBALANCE_DATA", str(tmp_path / "empty"))
    monkeypatch.setattr(_mnist, "MNIST_MIRRORS", ("http://127.0.0.1:9/",))
    assert (
        cli(["study", "--dataset", "mnist", "--quiet", "--out", str(tmp_path / "o")])
        == 1
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("skimbalance study: error: OSError:")
    assert not (tmp_path / "o").exists()


def test_killed_run_resumes_losing_at_most_the_model_in_flight(tmp_path):
    command = [
        sys.executable,
        "-m",
        "skimbalance",
        "study",
        "--rho",
        "10,20",
        "--mu",
        "0.5",
        "--max-iter",
        "30",
        "--quiet",
        "--out",
        str(tmp_path),
    ]
    path = tmp_path / "results.csv"
    process = subprocess.Popen(command)
    deadline = time.time() + 120
    while time.time() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= 4:
            break
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = _rows(path)
    assert 3 <= len(before) < 2 * len(PAPER_METHODS)
    subprocess.run(command, check=True)
    after = pd.read_csv(path)
    assert len(after) == 2 * len(PAPER_METHODS)
    assert not after.duplicated(["rho", "mu", "repeat", "method"]).any()
    assert after.head(len(before))["method"].tolist() == [r["method"] for r in before]


# ---------------------------------------------------- arguments, up front
@pytest.mark.parametrize(
    "params, message",
    [
        ({"dataset": "cifar"}, r"dataset='cifar' is neither one of \['digits'"),
        ({"methods": ["ros", "smote"]}, r"Unknown methods \['smote'\].*'baseline'"),
        ({"rhos": [0.5]}, r"rho must be >= 1; got rho=0.5"),
        ({"rhos": [float("inf")]}, r"rho must be >= 1; got rho=inf"),
        ({"rhos": []}, r"rho is empty"),
        ({"mus": [1.5]}, r"mu must be in \(0, 1\]; got mu=1.5"),
        ({"imbalance": "ramp"}, r"Unknown imbalance 'ramp'"),
        ({"max_iter": 0}, r"max_iter must be an int >= 1; got max_iter=0"),
        ({"folds": 1}, r"folds must be an int >= 2"),
        ({"lr_search": "grid"}, r"lr_search must be one of"),
        ({"net": "vgg11"}, r"net='vgg11' is not one of"),
        ({"methods": []}, r"methods is empty"),
    ],
)
def test_bad_arguments_write_nothing(tmp_path, params, message):
    with pytest.raises(ValueError, match=message):
        run_study(**{**FAST, **params}, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_help_version_and_argument_errors(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli(["study", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "(default: digits)" in help_text and "two_phase_ros" in help_text
    assert "class_aware" in help_text and "(default: 300)" in help_text
    assert "(default: 2,10,50)" in help_text and "(default: 0)" in help_text
    # Every option but the flags says its default, once.
    from skimbalance.__main__ import build_parser

    study = build_parser()._subparsers._group_actions[0].choices["study"]
    for action in study._actions:
        if action.nargs != 0:
            formatted = study._get_formatter()._get_help_string(action)
            assert formatted.count("(default") == 1, action.dest
    with pytest.raises(SystemExit):
        cli(["--version"])
    assert capsys.readouterr().out.startswith("skimbalance 0.")
    assert cli(["study", "--rho", "", "--out", str(tmp_path / "o")]) == 2
    assert "rho is empty" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(["study", "--rho", "ten"])
    assert "'ten' is not a number" in capsys.readouterr().err


# ---------------------------------------------------------- your own data
@pytest.fixture(scope="module")
def own_folder(tmp_path_factory):
    """A naturally imbalanced folder of 12x12 grey images: 60, 24 and 9 of three
    classes told apart by brightness."""
    root = tmp_path_factory.mktemp("own")
    rng = np.random.default_rng(0)
    for label, (name, n) in enumerate((("common", 60), ("rarer", 24), ("rare", 9))):
        (root / name).mkdir()
        for i in range(n):
            pixels = rng.integers(0, 80, (12, 12)) + 80 * label
            Image.fromarray(pixels.astype(np.uint8)).convert("RGB").save(
                root / name / f"{i}.png"
            )
    return root


def test_natural_imbalance_on_your_folder(own_folder, tmp_path):
    results = run_study(
        dataset=str(own_folder),
        imbalance="natural",
        folds=3,
        methods=["baseline", "ros", "rus", "thresholding"],
        max_iter=15,
        out=tmp_path,
        quiet=True,
    )
    assert sorted(results["repeat"].unique()) == [0, 1, 2]
    assert results["rho"].isna().all() and results["mu"].isna().all()
    assert (results["dataset"] == own_folder.name).all()
    report = (tmp_path / "report.md").read_text()
    assert "## Which method for this data" in report and "For this data:" in report
    assert "examples per class: common: 60, rare: 9, rarer: 24" in report
    assert "3-fold stratified cross-validation" in report
    assert (
        "fig_ranking_natural.png" in report
        and (tmp_path / "fig_ranking_natural.png").exists()
    )
    assert "## The paper's conclusions" not in report


def test_your_own_test_folder_and_npz(own_folder, tmp_path):
    data = load_study_data(str(own_folder), test=str(own_folder))
    assert data.folds is None and len(data.y_test) == 93
    X = np.zeros((40, 16), np.float32)
    X[20:] = 1
    np.savez(tmp_path / "mine.npz", X=X, y=np.repeat(["a", "b"], 20))
    results = run_study(
        dataset=str(tmp_path / "mine.npz"),
        imbalance="natural",
        folds=2,
        methods=["baseline"],
        max_iter=3,
        out=tmp_path / "o",
        quiet=True,
    )
    assert len(results) == 2


# ---------------------------------------------------------- CIFAR-10's protocol
@pytest.fixture
def tiny_cifar(tmp_path, monkeypatch):
    from skimbalance.datasets._cifar10 import CIFAR10_CLASSES

    rng = np.random.default_rng(0)
    for part, n in (("train", 6), ("test", 2)):
        for label, name in enumerate(CIFAR10_CLASSES):
            folder = tmp_path / "data" / "cifar10-jpg" / part / name
            folder.mkdir(parents=True)
            for i in range(n):
                pixels = rng.integers(0, 60, (32, 32, 3)) + 15 * label
                Image.fromarray(pixels.astype(np.uint8)).save(folder / f"{i:04d}.jpg")
    monkeypatch.setenv("SKIMBALANCE_DATA", str(tmp_path / "data"))
    return tmp_path


def test_cifar10_protocol(tiny_cifar):
    data = load_study_data("cifar10", n_per_class=6)
    assert data.net == "allcnn" and data.minority == "lowest"
    assert "ZCA" in data.preprocessing and data.X.dtype == np.float32
    results = run_study(
        dataset="cifar10",
        net="lenet5",
        rhos=[2],
        mus=[0.2],
        methods=["baseline", "ros"],
        max_iter=3,
        n_per_class=6,
        out=tiny_cifar / "out",
        quiet=True,
    )
    assert len(results) == 2
    report = (tiny_cifar / "out" / "report.md").read_text()
    assert "preprocessing: global contrast normalisation" in report


@pytest.mark.parametrize("selection", ["test", "validation"])
def test_lr_search_records_the_rate_and_the_choice(tmp_path, selection):
    results = run_study(
        **FAST, methods=["baseline", "thresholding"], lr_search=selection, out=tmp_path
    )
    assert set(results["lr"]) <= set(LR_GRID) and len(set(results["lr"])) == 1
    assert (results["lr_selection"] == selection).all()


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
