"""Grid search of a thresholded ROS + CNN pipeline on the lazy CIFAR-10 folder,
serial and on a Dask LocalCluster: the same scores, and paths (not pixels) sent.

Run from the repository root (``PYTHONPATH=.`` unless skimbalance is
installed)::

    SKIMBALANCE_DATA=../shared/datasets PYTHONPATH=. \\
        python benchmarks/bench_dask_search.py --n-images 3000

Data: ``--n-images`` images of the CIFAR-10 training folder (a lazy
``ImageArray`` over the JPEG files), step-imbalanced (rho 10, mu 0.5, lowest
labels minority). Model: ``PriorThresholdClassifier(make_pipeline(
RatioOverSampler(), LeNet5Classifier(max_iter=40)))``, ``GridSearchCV`` over
``imbalance_ratio`` in {1, 4} with 3 stratified folds and
``imbalance_scorers()``, refit on ROC AUC.

It runs the search serially, then with joblib's Dask backend on a
``LocalCluster`` of 2 worker processes (1 thread each) on 127.0.0.1, and
compares every ``cv_results_`` score. What crosses the network is read from
the loopback interface's byte counters (``psutil.net_io_counters``) around the
distributed search, next to the bytes of the pixels and of one pickled ``X``.
"""

import argparse
import pickle
import time

import numpy as np
import psutil


def build_search():
    from imblearn.pipeline import make_pipeline
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from skimbalance import PriorThresholdClassifier
    from skimbalance.cnn import LeNet5Classifier
    from skimbalance.metrics import imbalance_scorers
    from skimbalance.sampling import RatioOverSampler

    model = PriorThresholdClassifier(
        make_pipeline(
            RatioOverSampler(random_state=0),
            LeNet5Classifier(max_iter=40, device="cpu", random_state=0),
        )
    )
    return GridSearchCV(
        model,
        {"estimator__ratiooversampler__imbalance_ratio": [1, 4]},
        scoring=imbalance_scorers(),
        refit="roc_auc",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )


def one_thread():
    import torch

    torch.set_num_threads(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-images", type=int, default=3000)
    args = parser.parse_args()
    import joblib
    from dask.distributed import Client, LocalCluster

    from skimbalance.datasets import load_cifar10
    from skimbalance.sampling import StepImbalanceSampler

    one_thread()
    X, y = load_cifar10(return_X_y=True)
    pick = np.random.RandomState(0).permutation(len(X))[: args.n_images]
    X, y = StepImbalanceSampler(
        rho=10, mu=0.5, minority_classes="lowest", random_state=0
    ).fit_resample(X[pick], y[pick])
    pixels = X.nbytes
    print(
        f"{len(X)} lazy images ({pixels / 1e6:.1f} MB of pixels), counts "
        f"{np.bincount(y).tolist()}; one pickled X: {len(pickle.dumps(X))} bytes"
    )

    start = time.perf_counter()
    serial = build_search().fit(X, y)
    print(f"serial search: {time.perf_counter() - start:.1f} s")

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, Client(cluster) as client:  # fmt: skip
        client.run(one_thread)
        sent = psutil.net_io_counters(pernic=True)["lo"].bytes_sent
        start = time.perf_counter()
        with joblib.parallel_backend("dask"):
            distributed = build_search().fit(X, y)
        seconds = time.perf_counter() - start
        sent = psutil.net_io_counters(pernic=True)["lo"].bytes_sent - sent
    print(
        f"Dask search (2 workers): {seconds:.1f} s; loopback bytes: "
        f"{sent / 1e6:.2f} MB "
        f"= {sent / pixels:.3f}x the pixels of X"
    )
    for key in sorted(serial.cv_results_):
        if key.startswith(("mean_test", "split")):
            a, b = serial.cv_results_[key], distributed.cv_results_[key]
            assert np.array_equal(a, b), (key, a, b)
    scores = serial.cv_results_["mean_test_roc_auc"]
    print(
        f"every cv_results_ score equal in both runs; mean ROC AUC per ratio "
        f"[1, 4]: {np.round(scores, 4).tolist()}, best {serial.best_params_}"
    )


if __name__ == "__main__":
    main()
