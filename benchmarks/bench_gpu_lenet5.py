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

X, y = load_mnist(return_X_y=True)
Xt, yt = load_mnist(subset="test", return_X_y=True)
print(torch.cuda.get_device_name(0))
for name, (Xa, ya) in {
    "balanced": (X, y),
    "step rho=100 mu=0.5": StepImbalanceSampler(
        rho=100, mu=0.5, random_state=0
    ).fit_resample(X, y),
}.items():
    for bs in ["shuffle", "class_aware"]:
        clf = LeNet5Classifier(
            max_iter=10_000, device="cuda", random_state=0, batch_sampling=bs
        )
        t = time.perf_counter()
        clf.fit(Xa, ya)
        torch.cuda.synchronize()
        dt = time.perf_counter() - t
        p = clf.predict_proba(Xt)
        print(
            f"{name:22s} {bs:12s} fit 10000 updates: {dt:6.1f} s ({10000 * 64 / dt:8.0f} samples/s)  test acc {np.mean(clf.classes_[p.argmax(1)] == yt):.4f}  ROC AUC {multiclass_roc_auc_score(yt, p):.5f}"
        )
