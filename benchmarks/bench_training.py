"""Training and prediction speed of LeNet5Classifier vs a hand loop and stock skorch.

Run from the repository root (``PYTHONPATH=.`` unless skimbalance is
installed), on an otherwise idle machine::

    SKIMBALANCE_DATA=../shared/datasets PYTHONPATH=. \
        python benchmarks/bench_training.py --iters 300 --rounds 3 --epochs 3000

Defaults: ``--iters 300 --rounds 3 --epochs 3000`` (about 10 minutes on 2
cores). The output of a run is kept in ``benchmarks/results/training.txt``.

What it compares, in one process with ``torch.set_num_threads(2)``, on the CPU:

1. Training LeNet-5 on the real MNIST training set (60000 x 784 float32) for
   ``--iters`` weight updates (batch 64, SGD, momentum 0.9, lr 0.01, weight
   decay 5e-4, Caffe's "inv" schedule at every update in all three):

   * ``hand``: a hand-written PyTorch loop; the data is converted to tensors
     once, each epoch draws a ``randperm`` and every batch is an
     ``index_select``; ``skimbalance.nets.LeNet5`` and ``CrossEntropyLoss``.
   * ``skorch``: stock ``skorch.NeuralNetClassifier`` with its default
     ``DataLoader`` (shuffled), ``train_split=None``, fed X reshaped to
     ``(n, 1, 28, 28)`` and int64 y, the schedule by ``LRScheduler`` per
     batch. To make the same number of updates with skorch's epoch loop it is
     fitted for 1 epoch on the first ``iters * 64`` examples.
   * ``ours``: ``skimbalance.cnn.LeNet5Classifier(max_iter=iters,
     random_state=0, device="cpu")``.

   Each timing is a whole ``fit`` from NumPy arrays (tensor conversion,
   network and optimiser construction included; first-call costs are paid in
   an untimed warm-up). Throughput is updates x 64 / seconds.

2. The per-epoch overhead: the same three on tiny data, 192 of scikit-learn's
   8x8 digits in batches of 64 (3 updates an epoch), for ``--epochs`` epochs.
   Here the cost of an epoch's bookkeeping (callbacks, history, the batch
   iterator) weighs most against the compute. Reported in milliseconds per
   epoch.

3. ``batch_sampling="class_aware"`` vs ``"shuffle"`` in ``LeNet5Classifier``
   (target: class-aware at most 5 % slower).

4. ``predict_proba`` on the 10000 MNIST test images vs a hand
   ``torch.inference_mode()`` loop over batches of 1024 through the same
   trained module (softmax, results into a preallocated NumPy array); ours
   with ``iterator_valid__batch_size=1024``.

The contenders run in alternating order for ``--rounds`` rounds; the script
prints each round, the median and best, the ratios of the medians, the median
of the within-round ratios (robust to slow drift in machine load) and the
ratio of the bests (closest to the uncontended speed when other processes
share the cores; the load average is printed too). Targets of issue 16: fit
>= 0.95x the hand loop and >= stock skorch; per-epoch time on tiny data
within 1.1x the hand loop's (ours/hand <= 1.1).
"""

import argparse
import math
import os
import statistics
import time

import numpy as np
import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import LambdaLR

from skimbalance.cnn import LeNet5Classifier
from skimbalance.datasets import load_digit_images, load_mnist
from skimbalance.nets import LeNet5

N_THREADS = 2
LR, MOMENTUM, WEIGHT_DECAY = 0.01, 0.9, 5e-4
PREDICT_BATCH = 1024


def inv_schedule(t):
    """Caffe's "inv" multiplier, the default schedule of LeNet5Classifier."""
    return (1.0 + 1e-4 * t) ** -0.75


# ---------------------------------------------------------------- trainers
def fit_hand(X, y, iters, batch):
    """Hand-written loop; returns the number of updates made."""
    torch.manual_seed(0)
    side = math.isqrt(X.shape[1])
    X_t = torch.from_numpy(X).view(len(X), 1, side, side)
    y_t = torch.from_numpy(y)
    module = LeNet5(input_shape=(1, side, side), n_classes=10)
    module.train()
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(
        module.parameters(), lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY
    )
    scheduler = LambdaLR(optimizer, inv_schedule)
    done = 0
    while done < iters:
        perm = torch.randperm(len(X_t))
        for start in range(0, len(X_t), batch):
            if done == iters:
                break
            index = perm[start : start + batch]
            xb, yb = X_t.index_select(0, index), y_t.index_select(0, index)
            optimizer.zero_grad()
            loss = criterion(module(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            done += 1
    return done


def fit_skorch(X, y, iters, batch):
    """Stock skorch, ``iters`` updates: epochs over the first examples."""
    torch.manual_seed(0)
    epochs = math.ceil(iters * batch / len(X))
    n = min(len(X), math.ceil(iters / epochs) * batch)
    side = math.isqrt(X.shape[1])
    net = NeuralNetClassifier(
        LeNet5,
        module__input_shape=(1, side, side),
        module__n_classes=10,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        optimizer__momentum=MOMENTUM,
        optimizer__weight_decay=WEIGHT_DECAY,
        lr=LR,
        batch_size=batch,
        iterator_train__shuffle=True,
        train_split=None,
        max_epochs=epochs,
        callbacks=[
            (
                "lr_schedule",
                LRScheduler(
                    policy=LambdaLR, lr_lambda=inv_schedule, step_every="batch"
                ),
            )
        ],
        device="cpu",
        verbose=0,
    )
    net.fit(X[:n].reshape(n, 1, side, side), y[:n])
    return epochs * math.ceil(n / batch)


def fit_ours(X, y, iters, batch, batch_sampling="shuffle"):
    clf = LeNet5Classifier(
        max_iter=iters, batch_size=batch, random_state=0,
        batch_sampling=batch_sampling, device="cpu",
    )  # fmt: skip
    clf.fit(X, y)
    assert clf.n_iter_ == iters, (clf.n_iter_, iters)
    return clf.n_iter_


def samples_per_second(fit, X, y, iters, batch, *args):
    start = time.perf_counter()
    updates = fit(X, y, iters, batch, *args)
    return updates * batch / (time.perf_counter() - start)


def ms_per_epoch(fit, X, y, epochs, batch):
    """Milliseconds per epoch of ``epochs`` epochs of ``len(X) / batch`` updates."""
    per_epoch = math.ceil(len(X) / batch)
    start = time.perf_counter()
    updates = fit(X, y, epochs * per_epoch, batch)
    assert updates == epochs * per_epoch, updates
    return 1e3 * (time.perf_counter() - start) / epochs


# ---------------------------------------------------------------- predict
def predict_hand(module, X):
    out = np.empty((len(X), 10), dtype=np.float32)
    X_t = torch.from_numpy(X).view(len(X), 1, 28, 28)
    module.eval()
    with torch.inference_mode():
        for start in range(0, len(X), PREDICT_BATCH):
            xb = X_t[start : start + PREDICT_BATCH]
            out[start : start + PREDICT_BATCH] = torch.softmax(module(xb), 1).numpy()
    return out


def timed_predict(fn, *args):
    start = time.perf_counter()
    proba = fn(*args)
    seconds = time.perf_counter() - start
    return len(proba) / seconds, proba


# ----------------------------------------------------------------- report
def rounds_table(results, names, unit):
    """Print each round and the medians; return the median per name."""
    print(f"({unit})")
    print(f"{'round':<8}" + "".join(f"{n:>16}" for n in names))
    for r in range(len(results[names[0]])):
        print(f"{r + 1:<8}" + "".join(f"{results[n][r]:>16.1f}" for n in names))
    medians = {n: statistics.median(results[n]) for n in names}
    print(f"{'median':<8}" + "".join(f"{medians[n]:>16.1f}" for n in names))
    return medians


def ratio_line(results, medians, num, den, target=None, best=max):
    in_round = statistics.median(a / b for a, b in zip(results[num], results[den]))
    text = (
        f"{num}/{den}: {medians[num] / medians[den]:.3f}x (ratio of medians), "
        f"{in_round:.3f}x (median within-round ratio), "
        f"{best(results[num]) / best(results[den]):.3f}x (ratio of bests)"
    )
    if target is not None:
        text += f"  [target {target}]"
    print(text)


def alternate(contenders, rounds):
    """Run ``{name: thunk}`` ``rounds`` times, rotating the order each round."""
    names = list(contenders)
    results = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            results[name].append(contenders[name]())
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iters", type=int, default=300, help="updates on MNIST")
    parser.add_argument("--epochs", type=int, default=3000, help="tiny-data epochs")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    args = parser.parse_args()
    torch.set_num_threads(N_THREADS)
    wall = time.perf_counter()

    X, y = load_mnist(return_X_y=True)
    X_test, _ = load_mnist(subset="test", return_X_y=True)
    digits, digit_labels = load_digit_images(return_X_y=True)
    tiny, tiny_labels = digits[:192], digit_labels[:192]
    print(
        f"torch {torch.__version__}, threads={torch.get_num_threads()}; "
        f"MNIST train {X.shape} {X.dtype}, test {X_test.shape}; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )

    # Untimed warm-up: lazy imports, allocator, oneDNN kernels.
    for fit in (fit_hand, fit_skorch, fit_ours):
        fit(X, y, 5, 64)
        fit(tiny, tiny_labels, 6, 64)
    fit_ours(X, y, 5, 64, "class_aware")

    print(f"\n== 1. training LeNet-5 on MNIST: {args.iters} updates x batch 64")
    train = alternate(
        {
            name: (lambda f=f: samples_per_second(f, X, y, args.iters, 64))
            for name, f in (
                ("hand", fit_hand),
                ("skorch", fit_skorch),
                ("ours", fit_ours),
            )  # fmt: skip
        },
        args.rounds,
    )
    medians = rounds_table(train, ["hand", "skorch", "ours"], "training samples/s")
    ratio_line(train, medians, "ours", "hand", ">= 0.95")
    ratio_line(train, medians, "ours", "skorch", ">= 1")
    ratio_line(train, medians, "skorch", "hand")

    print(
        f"\n== 2. per-epoch time on tiny data: {args.epochs} epochs of 3 updates "
        "(192 digits, batch 64)"
    )
    epochs = alternate(
        {
            name: (lambda f=f: ms_per_epoch(f, tiny, tiny_labels, args.epochs, 64))
            for name, f in (
                ("hand", fit_hand),
                ("skorch", fit_skorch),
                ("ours", fit_ours),
            )  # fmt: skip
        },
        args.rounds,
    )
    medians = rounds_table(epochs, ["hand", "skorch", "ours"], "ms per epoch")
    ratio_line(epochs, medians, "ours", "hand", "<= 1.1", best=min)
    ratio_line(epochs, medians, "skorch", "hand", best=min)

    print("\n== 3. LeNet5Classifier batch_sampling: class_aware vs shuffle")
    sampling = alternate(
        {
            order: (
                lambda o=order: samples_per_second(fit_ours, X, y, args.iters, 64, o)
            )
            for order in ("shuffle", "class_aware")
        },
        args.rounds,
    )
    medians = rounds_table(sampling, ["shuffle", "class_aware"], "samples/s")
    ratio_line(sampling, medians, "class_aware", "shuffle", ">= 0.95")

    print(f"\n== 4. predict_proba on {len(X_test)} test images, batch {PREDICT_BATCH}")
    clf = LeNet5Classifier(
        max_iter=20, random_state=0, device="cpu",
        iterator_valid__batch_size=PREDICT_BATCH,
    ).fit(X, y)  # fmt: skip
    module = clf.module_
    _, p_ours = timed_predict(clf.predict_proba, X_test)
    _, p_hand = timed_predict(predict_hand, module, X_test)
    assert np.allclose(p_ours, p_hand, atol=1e-6), "predictions differ"
    predict = alternate(
        {
            "hand": lambda: timed_predict(predict_hand, module, X_test)[0],
            "ours": lambda: timed_predict(clf.predict_proba, X_test)[0],
        },
        max(args.rounds, 5),
    )
    medians = rounds_table(predict, ["hand", "ours"], "test images/s")
    ratio_line(predict, medians, "ours", "hand", ">= 0.95")
    print(
        f"\ntotal wall time {time.perf_counter() - wall:.0f} s; "
        f"load average now {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
