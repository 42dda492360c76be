"""Peak memory of LeNet5Classifier fits on step-imbalanced MNIST, one process per case.

Run from the repository root (``PYTHONPATH=.`` unless skimbalance is
installed)::

    SKIMBALANCE_DATA=../shared/datasets PYTHONPATH=. \\
        python benchmarks/bench_memory.py

Data: the MNIST training set (60000 x 784 float32) made step-imbalanced by
``StepImbalanceSampler(rho=1000, mu=0.5, random_state=0)`` (half of the
classes keep 0.1 % of their examples, 27130 rows). Cases, each in a fresh
interpreter with ``torch.set_num_threads(2)``:

* ``plain``: ``LeNet5Classifier(max_iter=50, random_state=0).fit(X, y)``
* ``class_aware``: the same with ``batch_sampling="class_aware"``
* ``ros``: imblearn's ``RandomOverSampler(random_state=0).fit_resample(X, y)``
  (back to ~60000 rows), then the plain fit on its output, both kept alive
  as a user would.

* ``hand`` (reference): a hand-written PyTorch loop, 50 updates of
  ``skimbalance.nets.LeNet5`` on index-selected batches of the same tensors,
  to show what the torch runtime itself costs.

Peak memory is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (KiB on Linux).
A process's peak cannot be lowered, so loading MNIST (whose parse and the
imbalance step briefly hold more than the ~80 MiB kept) would mask the fit:
a first ``prepare`` process writes the imbalanced ``X, y`` to a temporary
``.npy`` pair and each case process only ``np.load``s it. The driver itself
imports nothing heavy, so its children do not inherit a large peak. Each
case reports its baseline (current and peak RSS after imports and the load;
it includes the ~60 MiB of ``torch._dynamo``/sympy that building the first
torch optimiser imports lazily, which any training loop pays once), its peak
after the case and the increase. The driver prints them and the ratios
class_aware/plain (target <= 1.1x), ros/plain and plain/hand, of peaks and
of increases over the baseline.
"""

import argparse
import json
import os
import tempfile

from _processes import child, current_kib, mib, peak_kib

CASES = ("plain", "class_aware", "ros", "hand")
MAX_ITER = 50


def prepare(folder):
    import numpy as np

    from skimbalance.datasets import load_mnist
    from skimbalance.sampling import StepImbalanceSampler

    X, y = load_mnist(return_X_y=True)
    X, y = StepImbalanceSampler(rho=1000, mu=0.5, random_state=0).fit_resample(X, y)
    np.save(os.path.join(folder, "X.npy"), X)
    np.save(os.path.join(folder, "y.npy"), y)
    print(json.dumps({"shape": list(X.shape), "counts": np.bincount(y).tolist()}))


def fit_hand(X, y):
    import torch

    from skimbalance.nets import LeNet5

    torch.manual_seed(0)
    X_t, y_t = torch.from_numpy(X).view(len(X), 1, 28, 28), torch.from_numpy(y)
    module = LeNet5(input_shape=(1, 28, 28), n_classes=10)
    optimizer = torch.optim.SGD(
        module.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4
    )
    perm = torch.randperm(len(X_t))
    for b in range(MAX_ITER):
        index = perm[b * 64 : (b + 1) * 64]
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(
            module(X_t.index_select(0, index)), y_t.index_select(0, index)
        )
        loss.backward()
        optimizer.step()


def run_case(case, folder):
    import numpy as np
    import torch
    from imblearn.over_sampling import RandomOverSampler

    from skimbalance.cnn import LeNet5Classifier

    torch.set_num_threads(2)
    # Building an optimiser imports torch._dynamo (and sympy) lazily, ~60 MiB
    # that any training loop pays once: count it in the baseline, not the fit.
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    X = np.load(os.path.join(folder, "X.npy"))
    y = np.load(os.path.join(folder, "y.npy"))
    baseline, baseline_now = peak_kib(), current_kib()
    rows = len(X)
    if case == "hand":
        fit_hand(X, y)
    elif case == "ros":
        X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
        rows = len(X_res)
        clf = LeNet5Classifier(max_iter=MAX_ITER, random_state=0).fit(X_res, y_res)
    else:
        batch_sampling = "class_aware" if case == "class_aware" else "shuffle"
        clf = LeNet5Classifier(
            max_iter=MAX_ITER, random_state=0, batch_sampling=batch_sampling
        ).fit(X, y)
    if case != "hand":
        assert clf.n_iter_ == MAX_ITER
    print(
        json.dumps(
            {
                "case": case,
                "rows": rows,
                "baseline_peak": baseline,
                "baseline_rss": baseline_now,
                "peak": peak_kib(),
            }
        )
    )


def child_case(args, folder):
    return child(__file__, [*args, "--data", folder])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", choices=("prepare", *CASES))
    parser.add_argument("--data", help="folder of X.npy, y.npy (internal)")
    parser.add_argument("--repeats", type=int, default=1, help="processes per case")
    args = parser.parse_args()
    if args.case == "prepare":
        return prepare(args.data)
    if args.case is not None:
        return run_case(args.case, args.data)

    with tempfile.TemporaryDirectory() as folder:
        info = child_case(["--case", "prepare"], folder)
        print(
            f"step-imbalanced MNIST rho=1000 mu=0.5: X {tuple(info['shape'])} "
            f"float32 ({info['shape'][0] * info['shape'][1] * 4 / 2**20:.1f} MiB), "
            f"counts {info['counts']}; LeNet5Classifier(max_iter={MAX_ITER})"
        )
        results = {}
        for _ in range(args.repeats):
            for case in CASES:  # one fresh process per measurement
                r = child_case(["--case", case], folder)
                prev = results.get(case)
                if prev is None or r["peak"] < prev["peak"]:
                    results[case] = r

    print(
        f"{'case':<13}{'rows':>7}{'baseline RSS':>14}{'baseline peak':>15}"
        f"{'peak':>10}{'peak - base':>13}   (MiB)"
    )
    for case in CASES:
        r = results[case]
        r["delta"] = r["peak"] - r["baseline_peak"]
        print(
            f"{case:<13}{r['rows']:>7}{mib(r['baseline_rss']):>14.1f}"
            f"{mib(r['baseline_peak']):>15.1f}{mib(r['peak']):>10.1f}"
            f"{mib(r['delta']):>13.1f}"
        )
    for num, den, target in (
        ("class_aware", "plain", "  [target <= 1.1x]"),
        ("ros", "plain", ""),
        ("plain", "hand", ""),
    ):
        a, b = results[num], results[den]
        print(
            f"{num}/{den}: peak {a['peak'] / b['peak']:.3f}x, "
            f"increase over baseline {a['delta'] / max(b['delta'], 1):.2f}x{target}"
        )


if __name__ == "__main__":
    main()
