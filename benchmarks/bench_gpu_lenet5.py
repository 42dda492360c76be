"""LeNet5Classifier for the paper's full budget (10 000 updates) on real MNIST, on CUDA.

Run from the repository root on a machine with a GPU::

    SKIMBALANCE_DATA=../shared/datasets python benchmarks/bench_gpu_lenet5.py

Prints fit time, samples/s, test accuracy and the paper's multi-class ROC AUC
on the 10 000 test images, for balanced MNIST and step imbalance rho=100,
mu=0.5, with shuffled and class-aware batches. Output of one run is kept in
``benchmarks/results/gpu_lenet5_mnist.txt``.
"""

import time

import numpy as np
import torch

from skimbalance.cnn import LeNet5Classifier
from skimbalance.datasets import load_mnist
from skimbalance.metrics import multiclass_roc_auc_score
from skimbalance.sampling import StepImbalanceSampler


def main():
    X, y = load_mnist(return_X_y=True)
    X_test, y_test = load_mnist(subset="test", return_X_y=True)
    print(torch.cuda.get_device_name(0))
    datasets = {
        "balanced": (X, y),
        "step rho=100 mu=0.5": StepImbalanceSampler(
            rho=100, mu=0.5, random_state=0
        ).fit_resample(X, y),
    }
    for name, (X_train, y_train) in datasets.items():
        for sampling in ["shuffle", "class_aware"]:
            clf = LeNet5Classifier(
                max_iter=10_000, device="cuda", random_state=0, batch_sampling=sampling
            )
            start = time.perf_counter()
            clf.fit(X_train, y_train)
            torch.cuda.synchronize()
            seconds = time.perf_counter() - start
            proba = clf.predict_proba(X_test)
            accuracy = np.mean(clf.classes_[proba.argmax(1)] == y_test)
            auc = multiclass_roc_auc_score(y_test, proba)
            print(
                f"{name:22s} {sampling:12s} fit 10000 updates: {seconds:6.1f} s "
                f"({10000 * 64 / seconds:8.0f} samples/s)  test acc {accuracy:.4f}  "
                f"ROC AUC {auc:.5f}"
            )


if __name__ == "__main__":
    main()
