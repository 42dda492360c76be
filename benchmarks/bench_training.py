"""Training and prediction speed of LeNet5Classifier vs a hand loop and stock skorch.

Run from the repository root (``PYTHONPATH=.`` unless skimbalance is
installed)::

    SKIMBALANCE_DATA=../shared/datasets PYTHONPATH=. \
        python benchmarks/bench_training.py --iters 300 --rounds 3

Defaults: ``--iters 300 --rounds 3`` (about 3-5 minutes on 2 idle cores).

What it compares, all in one process with ``torch.set_num_threads(2)`` and on
the real MNIST training set (60000 x 784 float32), CPU:

1. Training LeNet-5 for ``--iters`` weight updates (batch 64, SGD, momentum
   0.9, lr 0.01, weight decay 5e-4, Caffe's "inv" schedule stepped by a
   ``LambdaLR`` after every update in all three):

   * ``hand``: a hand-written PyTorch loop; the data is converted to tensors
     once, each epoch draws a ``randperm`` and every batch is an
     ``index_select``; ``skimbalance.nets.LeNet5`` and ``CrossEntropyLoss``.
   * ``skorch``: stock ``skorch.NeuralNetClassifier`` with its default
     ``DataLoader`` (shuffled), ``train_split=None``, fed X reshaped to
     ``(n, 1, 28, 28)`` and int64 y. To make the same number of updates with
     skorch's epoch-based loop it is fitted for 1 epoch on the first
     ``iters * 64`` examples (19200 for 300 updates), or for the fewest
     epochs on a subset that gives that number when it exceeds 60000.
   * ``ours``: ``skimbalance.cnn.LeNet5Classifier(max_iter=iters,
     random_state=0, device="cpu")`` (``device`` pinned so that a CUDA build
     of torch does not move only this contender to the GPU).

   Each timing is a whole ``fit`` from NumPy arrays (tensor conversion,
   network and optimiser construction included; the first-call import costs
   are paid in an untimed warm-up). Throughput is updates x 64 / seconds.

2. ``batch_sampling="class_aware"`` vs ``"shuffle"`` in ``LeNet5Classifier``
   (target: class-aware at most 5 % slower).

3. ``predict_proba`` on the 10000 test images vs a hand
   ``torch.inference_mode()`` loop over batches of 1024 through the same
   trained module (softmax, results into a preallocated NumPy array).

The contenders run in alternating order for ``--rounds`` rounds; the script
prints each round, the median and best throughput, the ratios of the
medians, the median of the within-round ratios (robust to slow drift in
machine load) and the ratio of the bests (closest to the uncontended speed
when other processes share the cores; the load average is printed too).
Targets from the issue: ours/hand >= 0.95 for training and prediction.
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
from skimbalance.datasets import load_mnist
from skimbalance.nets import LeNet5

N_THREADS = 2
BATCH = 64
LR, MOMENTUM, WEIGHT_DECAY = 0.01, 0.9, 5e-4
PREDICT_BATCH = 1024
SHAPE = (1, 28, 28)


def inv_schedule(t):
    """Caffe's "inv" multiplier, the default schedule of LeNet5Classifier."""
    return (1.0 + 1e-4 * t) ** -0.75


# ---------------------------------------------------------------- trainers
def fit_hand(X, y, iters):
    """Hand-written loop; returns the number of updates made."""
    torch.manual_seed(0)
    X_t = torch.from_numpy(X).view(len(X), *SHAPE)
    y_t = torch.from_numpy(y)
    module = LeNet5(input_shape=SHAPE, n_classes=10)
    module.train()
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(
        module.parameters(), lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY
    )
    scheduler = LambdaLR(optimizer, inv_schedule)
    done = 0
    while done < iters:
        perm = torch.randperm(len(X_t))
        for start in range(0, len(X_t), BATCH):
            if done == iters:
                break
            index = perm[start : start + BATCH]
            xb, yb = X_t.index_select(0, index), y_t.index_select(0, index)
            optimizer.zero_grad()
            loss = criterion(module(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            done += 1
    return done


def skorch_subset(n_total, iters):
    """``(n_examples, epochs)`` giving at least ``iters`` updates of full batches."""
    epochs = math.ceil(iters * BATCH / n_total)
    return math.ceil(iters / epochs) * BATCH, epochs


def fit_skorch(X4, y, iters):
    torch.manual_seed(0)
    n, epochs = skorch_subset(len(X4), iters)
    net = NeuralNetClassifier(
        LeNet5,
        module__input_shape=SHAPE,
        module__n_classes=10,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        optimizer__momentum=MOMENTUM,
        optimizer__weight_decay=WEIGHT_DECAY,
        lr=LR,
        batch_size=BATCH,
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
    net.fit(X4[:n], y[:n])
    return epochs * math.ceil(n / BATCH)


def fit_ours(X, y, iters, batch_sampling="shuffle"):
    clf = LeNet5Classifier(
        max_iter=iters, random_state=0, batch_sampling=batch_sampling, device="cpu"
    )
    clf.fit(X, y)
    assert clf.n_iter_ == iters, (clf.n_iter_, iters)
    return clf.n_iter_


def timed(fn, *args):
    start = time.perf_counter()
    updates = fn(*args)
    seconds = time.perf_counter() - start
    return updates * BATCH / seconds


# ---------------------------------------------------------------- predict
def predict_hand(module, X):
    out = np.empty((len(X), 10), dtype=np.float32)
    X_t = torch.from_numpy(X).view(len(X), *SHAPE)
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
def rounds_table(results, names):
    """Print each round and the medians; return the median per name."""
    rounds = len(results[names[0]])
    header = f"{'round':<8}" + "".join(f"{n:>16}" for n in names)
    print(header)
    for r in range(rounds):
        print(f"{r + 1:<8}" + "".join(f"{results[n][r]:>16.0f}" for n in names))
    medians = {n: statistics.median(results[n]) for n in names}
    print(f"{'median':<8}" + "".join(f"{medians[n]:>16.0f}" for n in names))
    print(f"{'best':<8}" + "".join(f"{max(results[n]):>16.0f}" for n in names))
    return medians


def ratio_line(results, medians, num, den, target=None):
    in_round = statistics.median(a / b for a, b in zip(results[num], results[den]))
    text = (
        f"{num}/{den}: {medians[num] / medians[den]:.3f}x (ratio of medians), "
        f"{in_round:.3f}x (median within-round ratio), "
        f"{max(results[num]) / max(results[den]):.3f}x (ratio of bests)"
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
    parser.add_argument("--iters", type=int, default=300, help="weight updates")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    args = parser.parse_args()
    torch.set_num_threads(N_THREADS)
    wall = time.perf_counter()

    X, y = load_mnist(return_X_y=True)
    X_test, _ = load_mnist(subset="test", return_X_y=True)
    X4 = X.reshape(len(X), *SHAPE)
    n_sk, ep_sk = skorch_subset(len(X), args.iters)
    print(
        f"torch {torch.__version__}, threads={torch.get_num_threads()}; "
        f"MNIST train {X.shape} {X.dtype}, test {X_test.shape}; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    print(
        f"{args.iters} updates x batch {BATCH}; stock skorch: {ep_sk} epoch(s) on "
        f"the first {n_sk} examples; {args.rounds} alternating rounds; "
        "throughput in training samples/s"
    )

    # Untimed warm-up: lazy imports, allocator, oneDNN kernels.
    fit_hand(X, y, 5)
    fit_skorch(X4, y, 5)
    fit_ours(X, y, 5)
    fit_ours(X, y, 5, "class_aware")

    print("\n== 1. training: hand loop vs stock skorch vs LeNet5Classifier")
    train = alternate(
        {
            "hand": lambda: timed(fit_hand, X, y, args.iters),
            "skorch": lambda: timed(fit_skorch, X4, y, args.iters),
            "ours": lambda: timed(fit_ours, X, y, args.iters),
        },
        args.rounds,
    )
    medians = rounds_table(train, ["hand", "skorch", "ours"])
    ratio_line(train, medians, "ours", "hand", ">= 0.95")
    ratio_line(train, medians, "skorch", "hand")

    print("\n== 2. LeNet5Classifier batch_sampling: class_aware vs shuffle")
    sampling = alternate(
        {
            "shuffle": lambda: timed(fit_ours, X, y, args.iters, "shuffle"),
            "class_aware": lambda: timed(fit_ours, X, y, args.iters, "class_aware"),
        },
        args.rounds,
    )
    medians = rounds_table(sampling, ["shuffle", "class_aware"])
    ratio_line(sampling, medians, "class_aware", "shuffle", ">= 0.95 (<= 5% slower)")

    print(f"\n== 3. predict_proba on {len(X_test)} test images, batch {PREDICT_BATCH}")
    clf = LeNet5Classifier(max_iter=20, random_state=0, device="cpu").fit(X, y)
    module = clf.net_.module_
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
    print("(throughput in test images/s)")
    medians = rounds_table(predict, ["hand", "ours"])
    ratio_line(predict, medians, "ours", "hand", ">= 0.95")
    print(
        f"\ntotal wall time {time.perf_counter() - wall:.0f} s; "
        f"load average now {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
