"""RatioOverSampler vs imbalanced-learn's RandomOverSampler, same counts, one run.

Run from the repository root::

    SKIMBALANCE_DATA=../shared/datasets python benchmarks/bench_samplers.py

(after ``pip install -e .``, as in the README)

Data: MNIST training set (60000 x 784 float32) made step-imbalanced with
rho=100, mu=0.5 (half of the classes keep 1 % of their examples), then fully
over-sampled back to balance (~54 000 rows) by both samplers. Both draw the
same number of copies per class; the script checks the counts agree. It
prints the median wall time over repeats and the peak memory allocated
during ``fit_resample`` (tracemalloc, which sees numpy's buffers), and the
ratios imblearn / ours (> 1 means ours is faster or smaller).
"""

import statistics
import time
import tracemalloc

import numpy as np
from imblearn.over_sampling import RandomOverSampler

from skimbalance.datasets import load_mnist
from skimbalance.sampling import RatioOverSampler, StepImbalanceSampler

REPEATS = 7


def measure(sampler, X, y):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        X_res, y_res = sampler.fit_resample(X, y)
        times.append(time.perf_counter() - start)
        del X_res, y_res
    tracemalloc.start()
    X_res, y_res = sampler.fit_resample(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak, np.bincount(y_res)


def main():
    X, y = load_mnist(return_X_y=True)
    X, y = StepImbalanceSampler(rho=100, mu=0.5, random_state=0).fit_resample(X, y)
    print(f"input: {X.shape} {X.dtype}, class counts {np.bincount(y).tolist()}")
    ours = measure(RatioOverSampler(random_state=0), X, y)
    theirs = measure(RandomOverSampler(random_state=0), X, y)
    assert ours[2].tolist() == theirs[2].tolist(), "samplers disagree on counts"
    print(f"output rows: {ours[2].sum()} (counts {ours[2].tolist()})")
    print(f"{'sampler':<28}{'median s':>10}{'peak MiB':>10}")
    for name, (seconds, peak, _) in [
        ("skimbalance RatioOverSampler", ours),
        ("imblearn RandomOverSampler", theirs),
    ]:
        print(f"{name:<28}{seconds:>10.4f}{peak / 2**20:>10.1f}")
    print(f"time ratio imblearn/ours: {theirs[0] / ours[0]:.2f}x")
    print(f"peak-memory ratio imblearn/ours: {theirs[1] / ours[1]:.2f}x")


if __name__ == "__main__":
    main()
