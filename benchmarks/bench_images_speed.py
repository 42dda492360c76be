"""Training throughput from a JPEG folder (streamed) vs in-memory uint8 vs float32.

Run from the repository root (``PYTHONPATH=.`` unless skimbalance is
installed)::

    SKIMBALANCE_DATA=../shared/datasets PYTHONPATH=. \\
        python benchmarks/bench_images_speed.py --allcnn-iters 6 --lenet-iters 200

All in one process, ``torch.set_num_threads(2)``, CPU, on the CIFAR-10
training folder (50000 JPEGs): each fit is timed whole (from the arrays to a
fitted estimator) after an untimed warm-up, contenders alternate over
``--rounds`` and the median is kept. Throughput is updates x batch / second.

* All-CNN (``AllCNNClassifier``, batch 256): ``stream`` fits the lazy
  ``load_cifar10()`` array (decoding in ``num_workers`` DataLoader processes,
  0 and 1), ``uint8`` the same images decoded into memory beforehand,
  ``float32`` those divided by 255. Targets: stream >= 0.9x uint8, uint8 >=
  0.95x float32.
* LeNet-5 (``LeNet5Classifier``, batch 64), whose update is cheap: the same
  contenders, and where the streamed time goes: decoding the batches alone
  (``ImageArray.read`` of as many images) next to the in-memory fit.
"""

import argparse
import statistics
import time

import numpy as np
import torch

from skimbalance.cnn import AllCNNClassifier, LeNet5Classifier
from skimbalance.datasets import load_cifar10


def timed(make, X, y):
    start = time.perf_counter()
    make().fit(X, y)
    return time.perf_counter() - start


def compare(name, make, contenders, y, rounds, updates, batch):
    timed(lambda: make(0, 2), contenders["uint8"][0], y)  # warm-up
    times = {key: [] for key in contenders}
    for _ in range(rounds):
        for key, (X, workers) in contenders.items():
            times[key].append(timed(lambda w=workers: make(w, updates), X, y))
    median = {key: statistics.median(v) for key, v in times.items()}
    print(f"\n{name}: {updates} updates of batch {batch}, median of {rounds}")
    for key, seconds in median.items():
        print(
            f"  {key:<16}{seconds:8.2f} s  {updates * batch / seconds:8.0f} samples/s"
        )
    return median


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--allcnn-iters", type=int, default=6)
    parser.add_argument("--lenet-iters", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(2)
    lazy, y = load_cifar10(return_X_y=True)
    start = time.perf_counter()
    uint8 = np.asarray(lazy)
    decode_all = time.perf_counter() - start
    float32 = np.divide(uint8, 255, dtype=np.float32)
    print(
        f"CIFAR-10 training folder {lazy.shape}; decoding all of it: "
        f"{decode_all:.1f} s ({decode_all / len(lazy) * 1e3:.3f} ms an image, "
        "one core)"
    )
    contenders = {
        "stream, 0 workers": (lazy, 0), "stream, 1 worker": (lazy, 1),
        "uint8": (uint8, 0), "float32": (float32, 0),
    }  # fmt: skip

    def allcnn(workers, updates):
        return AllCNNClassifier(
            max_iter=updates, num_workers=workers, device="cpu", random_state=0
        )

    def lenet(workers, updates):
        return LeNet5Classifier(
            max_iter=updates, num_workers=workers, device="cpu", random_state=0
        )

    for name, make, updates, batch in (
        ("All-CNN", allcnn, args.allcnn_iters, 256),
        ("LeNet-5", lenet, args.lenet_iters, 64),
    ):
        median = compare(name, make, contenders, y, args.rounds, updates, batch)
        best = min(median["stream, 0 workers"], median["stream, 1 worker"])
        print(
            f"  stream/uint8 throughput: {median['uint8'] / best:.3f}x (best of 0/1 "
            f"workers) [target >= 0.9x for All-CNN]"
        )
        print(
            f"  uint8/float32 throughput: {median['float32'] / median['uint8']:.3f}x "
            "[target >= 0.95x]"
        )
        if name == "LeNet-5":
            rows = np.random.RandomState(0).randint(0, len(lazy), updates * batch)
            start = time.perf_counter()
            lazy.read(rows)
            decode = time.perf_counter() - start
            print(
                f"  where the streamed time goes: decoding {updates * batch} images "
                f"{decode:.2f} s + training in memory {median['uint8']:.2f} s = "
                f"{decode + median['uint8']:.2f} s; streamed with 0 workers "
                f"{median['stream, 0 workers']:.2f} s"
            )


if __name__ == "__main__":
    main()
