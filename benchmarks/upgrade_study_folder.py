"""Convert a study folder made before the paired statistics (issue 17) to today's.

Run from the repository root (the paper datasets' labels are read to size the
training sets)::

    SKIMBALANCE_DATA=../shared/datasets \\
        python benchmarks/upgrade_study_folder.py benchmarks/results/mnist_step

What changes, and why each value is exact:

- ``fold`` is added: for ``imbalance == "natural"`` the old ``repeat`` was the
  fold of the one cross-validation, so ``fold = repeat`` and ``repeat = 0``
  (the folds of repeat 0 are the ones the old run used); else ``fold = 0``.
- ``n_train`` and ``n_test``: for cross-validation, the fold sizes of
  ``StratifiedKFold`` on the class counts of ``study.json`` (they depend on the
  counts only); for the paper's protocol, the size of the imbalanced training
  set the samplers draw from the dataset's labels, and of its test set.
- Thresholded variants get the ``roc_auc`` and ``pr_auc`` of the model they
  wrap: both rank each class's column, which dividing by the priors does not
  change, so this is what scoring the prior-divided scores gives (the old
  rows had scored renormalised probabilities).
- ``input_drift`` is left empty (it was not measured), as are the
  class-balanced accuracies of old learning curves: conclusion 5 then says
  "not enough data" instead of reading the prior shift as overfitting.
- ``study.json`` gains ``n_classes`` (and, for natural data, the fewest test
  examples of each class in a fold).

Rows, curve points and figures are otherwise untouched; the report is
re-rendered with :func:`skimbalance.study.write_outputs`.
"""

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from skimbalance.sampling import LinearImbalanceSampler, StepImbalanceSampler
from skimbalance.study import CURVE_COLUMNS, RESULT_COLUMNS, write_outputs
from skimbalance.study._methods import THRESHOLDED
from skimbalance.study._results import SETTINGS, missing, write_atomically

TEST_SIZES = {"digits": 599, "mnist": 10000, "cifar10": 10000}


def labels_of(dataset, n_per_class):
    """The training labels the protocol draws from (the pool)."""
    if dataset == "digits":
        from skimbalance.study import load_study_data

        return load_study_data("digits").y, None
    if dataset == "mnist":
        from skimbalance.datasets import load_mnist

        return load_mnist(return_X_y=True)[1], n_per_class or 5000
    from skimbalance.datasets import load_cifar10

    y = load_cifar10().target
    n = n_per_class or 5000
    keep = StepImbalanceSampler(rho=1, mu=1, n_majority=n, random_state=0)
    return y[keep.fit(y[:, None], y).sample_indices_], None


def protocol_sizes(rows, settings):
    """``n_train`` of each row of the paper's protocol (the samplers rerun on
    the pool's labels with the row's seed), and ``n_test`` of the test set."""
    y, n_majority = labels_of(settings["dataset"], settings.get("n_per_class"))
    minority = "lowest" if settings["dataset"] == "cifar10" else "random"
    sizes = {}
    for imbalance, rho, mu, seed in zip(
        rows["imbalance"], rows["rho"], rows["mu"], rows["seed"]
    ):
        key = (imbalance, rho, None if missing(mu) else mu, seed)
        if key in sizes:
            continue
        if imbalance == "step":
            sampler = StepImbalanceSampler(
                rho=rho, mu=mu, n_majority=n_majority, minority_classes=minority,
                random_state=seed,
            )  # fmt: skip
        else:
            sampler = LinearImbalanceSampler(
                rho=rho, n_max=n_majority, class_order=minority, random_state=seed
            )
        sizes[key] = len(sampler.fit(y[:, None], y).sample_indices_)
    n_train = [
        sizes[(i, r, None if missing(m) else m, s)]
        for i, r, m, s in zip(rows["imbalance"], rows["rho"], rows["mu"], rows["seed"])
    ]
    return n_train, TEST_SIZES[settings["dataset"]]


def fold_sizes(settings):
    """``(n_train, n_test)`` of each fold, and the fewest test examples of
    each class in a fold, from the class counts."""
    counts = settings["class_counts"]
    folds = int(settings["evaluation"].split("-fold")[0])
    y = np.repeat(np.arange(len(counts)), list(counts.values()))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=settings["seed"])
    splits = list(splitter.split(np.zeros(len(y)), y))
    fewest = np.min([np.bincount(y[test], minlength=len(counts)) for _, test in splits],
                    axis=0)  # fmt: skip
    return (
        [(len(train), len(test)) for train, test in splits],
        dict(zip(counts, fewest.tolist())),
    )


def upgrade(out):
    out = Path(out)
    settings = json.loads((out / SETTINGS).read_text())
    results = pd.read_csv(out / "results.csv")
    if "fold" in results.columns:
        raise SystemExit(f"{out} is already in the current format.")
    natural = (results["imbalance"] == "natural").all()
    if natural:
        sizes, fewest = fold_sizes(settings)
        results["fold"] = results["repeat"]
        results["repeat"] = 0
        results["n_train"] = [sizes[f][0] for f in results["fold"]]
        results["n_test"] = [sizes[f][1] for f in results["fold"]]
        settings["evaluation"] += ", repeated"
        settings["test_class_counts"] = fewest
    else:
        results["fold"] = 0
        results["n_train"], results["n_test"] = protocol_sizes(results, settings)
    settings["n_classes"] = len(settings.get("class_counts") or range(10))
    keys = ["dataset", "imbalance", "rho", "mu", "repeat", "fold"]
    by_model = results.set_index(keys + ["method"])
    for variant, (base, _) in THRESHOLDED.items():
        rows = results["method"] == variant
        for i in np.flatnonzero(rows):
            key = tuple(results.loc[i, keys]) + (base,)
            for column in ("roc_auc", "pr_auc"):
                results.loc[i, column] = by_model.loc[key, column]
    for column in ("net", "lr", "lr_selection", "input_drift"):
        if column not in results.columns:
            results[column] = math.nan
    results = results[RESULT_COLUMNS]
    curves_path = out / "curves.csv"
    if curves_path.exists():
        curves = pd.read_csv(curves_path)
        curves["fold"] = curves["repeat"] if natural else 0
        if natural:
            curves["repeat"] = 0
        curves["train_balanced_accuracy"] = math.nan
        curves["test_balanced_accuracy"] = math.nan
        curves = curves[CURVE_COLUMNS]
        write_atomically(curves_path, lambda f: curves.to_csv(f, index=False))
    write_atomically(out / "results.csv", lambda f: results.to_csv(f, index=False))
    text = json.dumps(settings, indent=2) + "\n"
    write_atomically(out / SETTINGS, lambda f: f.write(text))
    write_outputs(out)
    print(f"{out}: {len(results)} rows upgraded; report re-rendered")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", help="study folders to upgrade")
    for folder in parser.parse_args().folders:
        upgrade(folder)


if __name__ == "__main__":
    main()
