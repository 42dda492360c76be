"""run_study / `skimbalance study`: rows, resume after any crash, parallel, the
user's own data, CIFAR-10's protocol, bad input."""

import csv
import fcntl
import json
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

FAST = dict(rhos=[10], mus=[0.5], max_iter=5, repeats=1, quiet=True)
#: The same on the command line.
CLI_FAST = ["study", "--rho", "10", "--mu", "0.5", "--max-iter", "3", "--repeats", "1",
            "--quiet"]  # fmt: skip
KEY = ["rho", "mu", "repeat", "fold", "method"]


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
    np.testing.assert_allclose(
        final["test_balanced_accuracy"], rows["balanced_accuracy"]
    )
    # the overfitting check's training accuracy weighs the classes equally:
    # on an imbalanced training set it differs from the plain accuracy
    assert (final["train_balanced_accuracy"] != final["train_accuracy"]).any()


def test_thresholding_keeps_the_auc_of_its_model_in_every_row(serial):
    _, results = serial
    by = results.set_index(["rho", "mu", "repeat", "fold", "method"])
    for variant, base in [
        ("thresholding", "baseline"),
        ("ros_thresholding", "ros"),
        ("rus_thresholding", "rus"),
    ]:
        for rho in (10.0, 20.0):
            mine, inner = (
                by.loc[(rho, 0.5, 0, 0, variant)],
                by.loc[(rho, 0.5, 0, 0, base)],
            )
            assert mine["roc_auc"] == inner["roc_auc"], (variant, rho)
            assert mine["pr_auc"] == inner["pr_auc"], (variant, rho)
    # ...while its decisions, and so its accuracy, are its own
    thresholded = results[results["method"].str.endswith("thresholding")]
    assert (thresholded["n_train"] > 0).all() and (thresholded["n_test"] == 599).all()


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
    assert not results.duplicated(KEY).any()


def test_cli_exit_codes_for_an_interrupt(tmp_path, monkeypatch, capsys):
    _FailOn(monkeypatch, 1, KeyboardInterrupt)
    assert cli([*CLI_FAST, "--out", str(tmp_path / "out")]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "Rerun the same command to resume" in err
    assert not (tmp_path / "out").exists()  # nothing half-done left behind


def test_sigterm_while_the_report_renders_leaves_the_old_report(
    serial, tmp_path, monkeypatch, capsys
):
    out, _ = serial
    for name in ("results.csv", "curves.csv", "study.json", "report.md"):
        (tmp_path / name).write_bytes((out / name).read_bytes())
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    from skimbalance.study import _report

    original = _report.write_atomically

    def terminated(path, write, **kwargs):
        def write_then_die(f):
            write(f)
            os.kill(os.getpid(), signal.SIGTERM)  # after the bytes, before rename

        return original(path, write_then_die, **kwargs)

    monkeypatch.setattr(_report, "write_atomically", terminated)
    argv = ["study", "--rho", "10,20", "--mu", "0.5", "--max-iter", "5",
            "--repeats", "1", "--quiet", "--out", str(tmp_path)]  # fmt: skip
    assert cli(argv) == 130
    assert "Rerun the same command to resume" in capsys.readouterr().err
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for name in ("results.csv", "curves.csv", "study.json", "report.md"):
        assert after[name] == before[name], name
    assert not [n for n in after if n.endswith(".part")]


def test_progress_counts_trainings_not_scored_models(tmp_path, monkeypatch):
    totals = []
    original = run_module._progress

    def spy(total, quiet):
        totals.append(total)
        return original(total, quiet)

    monkeypatch.setattr(run_module, "_progress", spy)
    run_study(**{**FAST, "rhos": [10, 20]}, methods=["baseline", "thresholding",
              "ros"], curves=False, out=tmp_path)  # fmt: skip
    # 2 configurations x 2 trainings (thresholding reuses the baseline)
    assert totals == [4]


def _with_nan_auc(text):
    last = text.splitlines()[-1].split(",")
    last[RESULT_COLUMNS.index("roc_auc")] = "nan"
    return text + ",".join(last) + "\n"


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text + "digits,step,10.0,0.5,0,0,rus,lenet5,0.01,fixed,0.9",
        _with_nan_auc,
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
    path.chmod(0o640)
    repaired = run_study(**{**FAST, "rhos": [10, 20]}, out=tmp_path)
    assert len(repaired) == len(results)
    assert not repaired.duplicated(KEY).any()
    assert np.isfinite(repaired["roc_auc"]).all()
    text = path.read_text()
    assert text.endswith("\n") and all(
        len(line.split(",")) == len(RESULT_COLUMNS) for line in text.splitlines()
    )
    assert (path.stat().st_mode & 0o777) == 0o640  # the rewrite kept its mode

    # the models redone got their curves again, once: as an uninterrupted run's
    def ordered(frame):
        return frame.sort_values(KEY + ["iteration"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(
        ordered(pd.read_csv(tmp_path / "curves.csv")),
        ordered(pd.read_csv(out / "curves.csv")),
    )


def test_adding_methods_keeps_every_row_and_curve_point(serial, tmp_path):
    out, results = serial
    for name in ("results.csv", "curves.csv", "study.json"):
        (tmp_path / name).write_bytes((out / name).read_bytes())
    before = (tmp_path / "curves.csv").read_text()
    more = run_study(
        **{**FAST, "rhos": [10, 20]},
        methods=[*PAPER_METHODS, "class_aware"],
        out=tmp_path,
    )
    assert len(more) == len(results) + 2
    pd.testing.assert_frame_equal(more.head(len(results)), results)
    assert (tmp_path / "curves.csv").read_text() == before


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


@pytest.mark.parametrize(
    "out, reason",
    [
        ("a-file", "it is a file, not a folder"),
        ("a-file/out", "a-file' is a file, not a folder"),
        ("read-only", "the file system is read-only"),
    ],
)
def test_an_unusable_out_is_one_line(tmp_path, capsys, monkeypatch, out, reason):
    import errno

    from skimbalance.study import _results

    (tmp_path / "a-file").write_text("not a folder")
    if out == "read-only":

        def read_only(self):
            raise OSError(errno.EROFS, "Read-only file system")

        monkeypatch.setattr(_results.StudyFolder, "_lock", read_only)
    assert cli([*CLI_FAST, "--out", str(tmp_path / out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"skimbalance study: error: --out '{tmp_path / out}'")
    assert reason in err[0] and "Choose another --out" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert (tmp_path / "a-file").read_text() == "not a folder"


def _copy_of(folder, tmp_path):
    for name in ("results.csv", "curves.csv", "study.json"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    return {p.name: p.read_bytes() for p in tmp_path.iterdir()}


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_a_results_file_that_is_not_regular_is_refused(serial, tmp_path, capsys,
                                                       kind):  # fmt: skip
    out, _ = serial
    _copy_of(out, tmp_path)
    curves = tmp_path / "curves.csv"
    curves.unlink()
    if kind == "device":
        curves.symlink_to("/dev/full")
    elif kind == "fifo":
        os.mkfifo(curves)
    else:
        curves.mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    settings_before = (tmp_path / "study.json").read_bytes()
    assert cli([*CLI_FAST, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    expected = {"device": "a character device", "fifo": "a FIFO", "folder": "a folder"}
    assert f"curves.csv' is {expected[kind]}, not a regular file" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "study.json").read_bytes() == settings_before


def test_a_torn_settings_file_is_one_line(serial, tmp_path, capsys):
    out, _ = serial
    _copy_of(out, tmp_path)
    settings = tmp_path / "study.json"
    settings.write_text(settings.read_text()[:25])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert cli([*CLI_FAST, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert f"'{settings}' is not valid JSON" in err[0] and "delete it" in err[0]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


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


def test_killed_run_resumes_to_what_an_uninterrupted_run_writes(tmp_path):
    def command(out):
        return [sys.executable, "-m", "skimbalance", "study", "--rho", "10,20",
                "--mu", "0.5", "--max-iter", "20", "--repeats", "1", "--methods",
                "baseline,ros,thresholding", "--quiet", "--out", str(out)]  # fmt: skip

    path = tmp_path / "killed" / "results.csv"
    process = subprocess.Popen(command(tmp_path / "killed"))
    deadline = time.time() + 120
    while time.time() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= 3:
            break
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = _rows(path)
    assert 2 <= len(before) < 6
    # resumed and uninterrupted runs in this process: the same command line
    assert cli(command(tmp_path / "killed")[3:]) == 0
    assert cli(command(tmp_path / "whole")[3:]) == 0
    after = pd.read_csv(path)
    assert after.head(len(before))["method"].tolist() == [r["method"] for r in before]

    def ordered(frame, *by):
        return frame.sort_values(KEY + list(by)).reset_index(drop=True)

    whole = pd.read_csv(tmp_path / "whole" / "results.csv")
    pd.testing.assert_frame_equal(
        ordered(after).drop(columns="fit_seconds"),
        ordered(whole).drop(columns="fit_seconds"),
    )
    pd.testing.assert_frame_equal(
        ordered(pd.read_csv(tmp_path / "killed" / "curves.csv"), "iteration"),
        ordered(pd.read_csv(tmp_path / "whole" / "curves.csv"), "iteration"),
    )


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
        ({"repeats": 0}, r"repeats must be None or an int >= 1; got repeats=0"),
        ({"mode": "CMYK"}, r"mode must be one of \['auto', 'L', 'RGB'\]"),
        ({"resize": "fit"}, r"resize must be one of \['squash', 'pad', 'crop'\]"),
        ({"alpha": 1.5}, r"alpha must be a number in \(0, 1\); got alpha=1.5"),
        ({"min_effect": -0.1}, r"min_effect must be a number in \[0, 1\)"),
        ({"memory_budget": -1}, r"memory_budget must be None or a number of bytes"),
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
    assert "SUPPRESS" not in help_text
    assert "(default: digits)" in help_text and "two_phase_ros" in help_text
    assert "class_aware" in help_text and "(default: 300; --quick: 600)" in help_text
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
    assert not (tmp_path / "o").exists()
    assert "rho is empty" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(["study", "--rho", "ten"])
    assert "'ten' is not a number" in capsys.readouterr().err


# ---------------------------------------------------------- your own data
@pytest.fixture(scope="module")
def own_folder(tmp_path_factory):
    """A naturally imbalanced folder of 12x12 grey images, stored as RGB: 60, 24
    and 12 of three classes told apart by brightness."""
    root = tmp_path_factory.mktemp("own")
    rng = np.random.default_rng(0)
    for label, (name, n) in enumerate((("common", 60), ("rarer", 24), ("rare", 12))):
        (root / name).mkdir()
        for i in range(n):
            pixels = rng.integers(0, 80, (12, 12)) + 80 * label
            Image.fromarray(pixels.astype(np.uint8)).convert("RGB").save(
                root / name / f"{i}.png"
            )
    return root


def test_natural_imbalance_on_your_folder(own_folder, tmp_path):
    with pytest.warns(UserWarning) as caught:
        results = run_study(
            dataset=str(own_folder),
            imbalance="natural",
            folds=3,
            repeats=2,
            methods=["baseline", "ros", "rus", "thresholding"],
            max_iter=15,
            out=tmp_path,
            quiet=True,
        )
    units = sorted(set(zip(results["repeat"], results["fold"])))
    assert units == [(r, f) for r in (0, 1) for f in (0, 1, 2)]
    assert (results["n_train"] + results["n_test"] == 96).all()
    assert results["rho"].isna().all() and results["mu"].isna().all()
    assert (results["dataset"] == own_folder.name).all()
    report = (tmp_path / "report.md").read_text()
    assert "## Which method for this data" in report and "For this data:" in report
    assert "examples per class: common: 60, rare: 12, rarer: 24" in report
    assert "3-fold stratified cross-validation, repeated; 6 paired units" in report
    assert "| vs baseline | vs best | notes |" in report
    assert "Nadeau & Bengio" in report
    assert (
        "fig_ranking_natural.png" in report
        and (tmp_path / "fig_ranking_natural.png").exists()
    )
    assert "## The paper's conclusions" not in report
    # the 12-image class has 4 test images a fold: named, in the report and on stderr
    warned = [str(w.message) for w in caught]
    thin = "Few test images in a fold for 'rare' (4)"
    assert thin in report and any(thin in w for w in warned)
    # thresholding to uniform priors, scored on folds with the data's priors
    assert "target_priors=[0.625, 0.125, 0.250]" in report
    # the images were read as they are: grey-scale, one channel, not resized
    settings = json.loads((tmp_path / "study.json").read_text())
    assert settings["images"] == {
        "image_size": [12, 12], "mode": "RGB", "channels": 3, "resize": "none"
    }  # fmt: skip
    assert settings["test_class_counts"] == {"common": 20, "rarer": 8, "rare": 4}


def test_folder_images_mode_resize_and_identity(own_folder, tmp_path):
    grey = tmp_path / "grey"
    for folder in own_folder.iterdir():
        (grey / folder.name).mkdir(parents=True)
        for image in folder.iterdir():
            Image.open(image).convert("L").resize((18, 12)).save(
                grey / folder.name / image.name
            )
    common = dict(dataset=str(grey), imbalance="natural", folds=2, repeats=1,
                  methods=["baseline"], max_iter=2, quiet=True)  # fmt: skip
    run_study(**common, image_size=10, resize="pad", out=tmp_path / "o")
    settings = json.loads((tmp_path / "o" / "study.json").read_text())
    assert settings["images"] == {
        "image_size": [10, 10], "mode": "L", "channels": 1, "resize": "pad"
    }  # fmt: skip
    report = (tmp_path / "o" / "report.md").read_text()
    assert "- images: 10x10, mode L (1 channel), resized keeping the aspect" in report
    before = {p.name: p.read_bytes() for p in (tmp_path / "o").iterdir()}
    for change in ({"image_size": 8, "resize": "pad"}, {"image_size": 10,
                   "resize": "crop"}, {"image_size": 10, "resize": "pad",
                   "mode": "RGB"}):  # fmt: skip
        with pytest.raises(ValueError, match=r"other settings .*'images'"):
            run_study(**common, **change, out=tmp_path / "o")
    after = {p.name: p.read_bytes() for p in (tmp_path / "o").iterdir()}
    assert after == before


def test_a_folder_is_decoded_once_per_study(own_folder, tmp_path, decoded_rows):
    decoded = decoded_rows
    run_study(dataset=str(own_folder), imbalance="natural", folds=2, repeats=1,
              methods=["baseline", "ros"], max_iter=4, out=tmp_path / "o",
              quiet=True)  # fmt: skip
    assert sorted(decoded) == list(range(96))  # each image once, for 4 models
    decoded.clear()
    with pytest.warns(UserWarning, match=r"more than the memory budget"):
        run_study(dataset=str(own_folder), imbalance="natural", folds=2,
                  repeats=1, methods=["baseline"], max_iter=2, memory_budget=1000,
                  out=tmp_path / "p", quiet=True)  # fmt: skip
    assert len(decoded) > 96


def test_a_cache_decodes_a_folder_once_for_every_study(own_folder, tmp_path,
                                                       decoded_rows):  # fmt: skip
    decoded = decoded_rows
    common = dict(dataset=str(own_folder), imbalance="natural", folds=2, repeats=1,
                  max_iter=2, cache=tmp_path / "cache", quiet=True)  # fmt: skip
    first = run_study(**common, methods=["baseline"], out=tmp_path / "o1")
    assert sorted(decoded) == list(range(96))
    decoded.clear()
    second = run_study(**common, methods=["baseline"], out=tmp_path / "o2")
    assert decoded == []  # read from the cache's memory map
    pd.testing.assert_frame_equal(
        first.drop(columns="fit_seconds"), second.drop(columns="fit_seconds")
    )


def test_a_model_that_did_not_learn_is_flagged(tmp_path):
    """Noise images: the baseline cannot learn and predicts the majority class."""
    rng = np.random.default_rng(1)
    root = tmp_path / "noise"
    for name, n in (("many", 40), ("few", 20), ("rare", 20)):
        (root / name).mkdir(parents=True)
        for i in range(n):
            pixels = rng.integers(0, 255, (8, 8)).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    with pytest.warns(UserWarning, match=r"Models that did not learn"):
        results = run_study(
            dataset=str(root), imbalance="natural", folds=2, repeats=1,
            methods=["baseline"], max_iter=2, out=tmp_path / "o", quiet=True,
        )  # fmt: skip
    assert (results["balanced_accuracy"] < 0.4).all()
    report = (tmp_path / "o" / "report.md").read_text()
    assert "Models that did not learn" in report and "baseline in 2 of 2" in report
    assert "did not learn in 2/2" in report  # the ranking's note
    assert "raise --max-iter" in report


def test_your_own_test_folder_and_npz(own_folder, tmp_path):
    data = load_study_data(str(own_folder), test=str(own_folder))
    assert data.folds is None and len(data.y_test) == 96
    X = np.zeros((40, 16), np.float32)
    X[20:] = 1
    np.savez(tmp_path / "mine.npz", X=X, y=np.repeat(["a", "b"], 20))
    results = run_study(
        dataset=str(tmp_path / "mine.npz"),
        imbalance="natural",
        folds=2,
        repeats=1,
        methods=["baseline"],
        max_iter=3,
        out=tmp_path / "o",
        quiet=True,
    )
    assert len(results) == 2


def test_an_npz_whose_x_and_y_differ_in_length_is_refused(tmp_path):
    np.savez(tmp_path / "bad.npz", X=np.zeros((30, 16)), y=np.zeros(25))
    with pytest.raises(ValueError, match=r"30 examples in X but 25 labels in y"):
        run_study(dataset=str(tmp_path / "bad.npz"), imbalance="natural",
                  out=tmp_path / "o", quiet=True)  # fmt: skip
    assert not (tmp_path / "o").exists()


def test_quick_preset_and_given_options(monkeypatch):
    from skimbalance.__main__ import _resolve, build_parser

    def resolved(*argv):
        args = build_parser().parse_args(["study", *argv])
        methods, _ = _resolve(args)
        return methods, args.max_iter, args.image_size, args.repeats, args.curves

    assert resolved() == ("paper", 300, None, None, True)
    assert resolved("--quick") == (
        ["baseline", "ros", "rus", "thresholding"], 600, 32, 2, False
    )  # fmt: skip
    assert resolved("--quick", "--max-iter", "100", "--image-size", "64") == (
        ["baseline", "ros", "rus", "thresholding"], 100, 64, 2, False
    )  # fmt: skip


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
        repeats=1,
        out=tiny_cifar / "out",
        quiet=True,
    )
    assert len(results) == 2
    # whitening fitted on the configuration's training set, and checked for drift
    assert (results["input_drift"] > 0).all()
    report = (tiny_cifar / "out" / "report.md").read_text()
    assert "preprocessing: global contrast normalisation" in report
    assert "fitted on each configuration's training set" in report


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
