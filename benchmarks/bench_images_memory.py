"""Memory of lazy image arrays and of CNN fits on uint8 images (CIFAR-10, CPU).

Run from the repository root (``PYTHONPATH=.`` unless skimbalance is
installed)::

    SKIMBALANCE_DATA=../shared/datasets PYTHONPATH=. \\
        python benchmarks/bench_images_memory.py

Data: the CIFAR-10 training folder (50000 JPEG files, ``load_cifar10``). Every
case runs in a fresh interpreter (``_processes.child``) with
``torch.set_num_threads(2)``; after imports and building one optimiser (torch
imports ~60 MiB lazily then, which any training pays once) it records its
baseline RSS, then reports what the case adds: the increase of the current
RSS and of the peak RSS over that baseline (KiB -> MiB).

* ``lazy_load``: ``load_cifar10()`` over the JPEG folder (target: <= 50 MB).
* ``lazy_ros``: after the lazy load, step imbalance (rho 10, mu 0.5, the lowest
  labels minority: 27500 rows) and ``RatioOverSampler`` to full balance
  (50000 rows) on the lazy array; the increase is counted from after the load
  (target: <= 10 MB).
* ``fit_uint8`` / ``fit_float32``: the training set decoded once into memory
  as uint8 (146 MiB, loaded from a ``.npy`` prepared by a first process), then
  ``LeNet5Classifier(max_iter=20)`` fitted on it as is, or on
  ``np.divide(X, 255, dtype=np.float32)`` (what a user had to pass before);
  the increase includes that conversion (target: uint8 <= 0.35x float32).
* ``ros_fit_ours`` / ``ros_fit_imblearn``: the step-imbalanced subset, over-
  sampled to full balance and fitted (LeNet-5, 20 updates): ours on a lazy
  view of the uint8 array (``ImageArray(X)[rows]``, ``RatioOverSampler``),
  imblearn's ``RandomOverSampler`` on the NumPy subset (copies).
"""

import argparse
import json
import os
import tempfile

from _processes import child, current_kib, mib, peak_kib

CASES = (
    "lazy_load", "lazy_ros", "fit_uint8", "fit_float32", "ros_fit_ours",
    "ros_fit_imblearn",
)  # fmt: skip
MAX_ITER = 20


def prepare(folder):
    import numpy as np

    from skimbalance.datasets import load_cifar10

    X, y = load_cifar10(return_X_y=True)
    np.save(os.path.join(folder, "X.npy"), np.asarray(X))
    np.save(os.path.join(folder, "y.npy"), y)
    print(json.dumps({"shape": list(X.shape)}))


def step_rows(y):
    from skimbalance.sampling import StepImbalanceSampler

    sampler = StepImbalanceSampler(
        rho=10, mu=0.5, minority_classes="lowest", random_state=0
    )
    sampler.fit(y.reshape(-1, 1), y)
    return sampler.sample_indices_


def run_case(case, folder):
    import numpy as np
    import torch
    from imblearn.over_sampling import RandomOverSampler

    from skimbalance.cnn import LeNet5Classifier
    from skimbalance.datasets import ImageArray, load_cifar10
    from skimbalance.sampling import RatioOverSampler, StepImbalanceSampler

    torch.set_num_threads(2)
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    if case.startswith(("fit", "ros_fit")):
        X = np.load(os.path.join(folder, "X.npy"))
        y = np.load(os.path.join(folder, "y.npy"))
    base_rss, base_peak = current_kib(), peak_kib()
    rows = None
    if case in ("lazy_load", "lazy_ros"):
        X, y = load_cifar10(return_X_y=True)
        rows = len(X)
        if case == "lazy_ros":
            base_rss, base_peak = current_kib(), peak_kib()
            sampler = StepImbalanceSampler(
                rho=10, mu=0.5, minority_classes="lowest", random_state=0
            )
            X_imb, y_imb = sampler.fit_resample(X, y)
            X_res, y_res = RatioOverSampler(random_state=0).fit_resample(X_imb, y_imb)
            assert isinstance(X_res, ImageArray)
            rows = len(X_res)
    elif case in ("fit_uint8", "fit_float32"):
        data = X if case == "fit_uint8" else np.divide(X, 255, dtype=np.float32)
        LeNet5Classifier(max_iter=MAX_ITER, random_state=0, device="cpu").fit(data, y)
        rows = len(data)
    else:
        keep = step_rows(y)
        if case == "ros_fit_ours":
            X_res, y_res = RatioOverSampler(random_state=0).fit_resample(
                ImageArray(X)[keep], y[keep]
            )
        else:
            X_res, y_res = RandomOverSampler(random_state=0).fit_resample(
                X[keep].reshape(len(keep), -1), y[keep]
            )
        LeNet5Classifier(
            max_iter=MAX_ITER, random_state=0, device="cpu", input_shape=(3, 32, 32)
        ).fit(X_res, y_res)
        rows = len(X_res)
    print(json.dumps({
        "case": case, "rows": rows, "rss": current_kib() - base_rss,
        "peak": peak_kib() - base_peak,
    }))  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", choices=("prepare", *CASES))
    parser.add_argument("--data", help="folder of X.npy, y.npy (internal)")
    args = parser.parse_args()
    if args.case == "prepare":
        return prepare(args.data)
    if args.case is not None:
        return run_case(args.case, args.data)
    with tempfile.TemporaryDirectory() as folder:
        info = child(__file__, ["--case", "prepare", "--data", folder])
        print(f"CIFAR-10 training folder: {tuple(info['shape'])} uint8")
        results = {c: child(__file__, ["--case", c, "--data", folder]) for c in CASES}
    print(f"{'case':<18}{'rows':>7}{'+RSS':>9}{'+peak':>9}   (MiB)")
    for case, r in results.items():
        print(f"{case:<18}{r['rows']:>7}{mib(r['rss']):>9.1f}{mib(r['peak']):>9.1f}")
    mb = 1e6 / 1024
    print(
        f"lazy load: +{results['lazy_load']['peak'] / mb:.1f} MB peak [target <= 50 MB]"
        f"\nRatioOverSampler to full balance on the lazy array: "
        f"+{results['lazy_ros']['peak'] / mb:.1f} MB peak [target <= 10 MB]"
    )
    for num, den, target in (
        ("fit_uint8", "fit_float32", "  [target <= 0.35x]"),
        ("ros_fit_ours", "ros_fit_imblearn", ""),
    ):
        a, b = results[num]["peak"], results[den]["peak"]
        print(f"{num}/{den}: peak increase {a / max(b, 1):.3f}x{target}")


if __name__ == "__main__":
    main()
