"""Training from image folders: decoded every batch, decoded once, or in memory.

Run from the repository root (``PYTHONPATH=.`` unless skimbalance is
installed)::

    SKIMBALANCE_DATA=../shared/datasets PYTHONPATH=. \\
        python benchmarks/bench_images_speed.py --lenet-iters 100 --rounds 8

All in one process, ``torch.set_num_threads(2)``, CPU. Three measurements,
each printed as ratios of one run:

1. LeNet-5 (batch 64) on the CIFAR-10 training folder (50 000 JPEGs of
   32x32): each fit timed whole, after a warm-up of each. Over ``--rounds``
   the contenders take turns in an order that rotates each round; a ratio is
   the median of the rounds' ratios, so the machine's drift over minutes
   cancels out (throughput is updates x batch / second). Contenders:
   ``pillow`` (the lazy folder, every batch decoded by Pillow), ``fast`` (the
   same with libjpeg-turbo through simplejpeg), ``cache`` (the folder through
   ``load_image_folder(cache=...)``: a memory map built once) and ``uint8``
   (the images decoded into memory beforehand). Targets: cache >= 0.95x
   uint8, fast >= 0.85x uint8.
2. Decoding one 32x32 JPEG on one core: Pillow against simplejpeg, and a read
   of one image from the cache's memory map.
3. Full-size photos resized to 64x64: ``--photos`` JPEGs made from CIFAR-10
   images upscaled to 250-400 pixels a side, of varied aspect, quality 90 (in
   a temporary folder). Today's path before this change (Pillow: a full
   decode, then resize) against the new one (a decode at the smallest DCT
   scale that covers 64x64, then resize), with simplejpeg and with Pillow's
   draft mode. Target: >= 4x faster. Section 4 does the same with grey-scale
   photos (mode "L"), the kind of the issue's real folder.

With ``--allcnn-iters N`` (default 0: skipped) section 1 also times All-CNN
(batch 256), whose update is slow enough that decoding hardly matters.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from skimbalance.cnn import AllCNNClassifier, LeNet5Classifier
from skimbalance.datasets import _decode, load_cifar10, load_image_folder
from skimbalance.datasets._home import get_data_home

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _photos import make_photos  # noqa: E402


def timed(make, X, y):
    start = time.perf_counter()
    make().fit(X, y)
    return time.perf_counter() - start


class Pillow:
    """Within it, the JPEG files are decoded by Pillow."""

    def __enter__(self):
        self.saved, _decode.simplejpeg = _decode.simplejpeg, None

    def __exit__(self, *exc):
        _decode.simplejpeg = self.saved


def training(lazy, cached, uint8, y, rounds, name, make, updates, batch):
    contenders = {"pillow": lazy, "fast": lazy, "cache": cached, "uint8": uint8}

    def fit(key, n):
        if key == "pillow":
            with Pillow():
                return timed(lambda: make(n), contenders[key], y)
        return timed(lambda: make(n), contenders[key], y)

    for key in contenders:  # warm-up: first-call costs are nobody's
        fit(key, 2)
    times = {key: [] for key in contenders}
    keys = list(contenders)
    for r in range(rounds):  # the order turns each round: no contender is
        for key in keys[r % 4 :] + keys[: r % 4]:  # always first or last
            times[key].append(fit(key, updates))
    median = {key: statistics.median(v) for key, v in times.items()}
    print(f"\n== 1. {name}: {updates} updates of batch {batch}, {rounds} rounds")
    for key, seconds in median.items():
        print(f"  {key:<8}{seconds:8.2f} s  {updates * batch / seconds:8.0f} samples/s"
              "  (median)")  # fmt: skip
    # the ratio of each round's neighbours in time, then their median: the
    # machine's drift over minutes cancels out of it
    for key, target in (("cache", 0.95), ("fast", 0.85), ("pillow", None)):
        ratios = sorted(u / t for u, t in zip(times["uint8"], times[key]))
        goal = f" [target >= {target}x]" if target else ""
        print(f"  {key}/uint8 throughput: {statistics.median(ratios):.3f}x{goal}"
              f"  (rounds: {', '.join(f'{x:.2f}' for x in ratios)})")  # fmt: skip


def per_image(lazy, cached, n=2000):
    rows = np.random.RandomState(0).randint(0, len(lazy), n)
    timings = {}
    for key in ("pillow", "fast", "cache"):
        source = cached if key == "cache" else lazy
        start = time.perf_counter()
        if key == "pillow":
            with Pillow():
                for r in rows:
                    source[int(r)]
        else:
            for r in rows:
                source[int(r)]
        timings[key] = (time.perf_counter() - start) / n * 1e6
    print(f"\n== 2. one 32x32 image on one core (mean of {n})")
    for key, us in timings.items():
        print(f"  {key:<8}{us:8.1f} us")
    print(f"  pillow/fast: {timings['pillow'] / timings['fast']:.1f}x")


def old_pillow_path(path, size, mode):
    """Before: Image.open, convert, resize from the full decode."""
    with Image.open(path) as image:
        image = image.convert(mode)
        return np.asarray(image.resize(size[::-1], Image.Resampling.BILINEAR))


def photos(n, rounds, mode, section):
    folder = Path(tempfile.mkdtemp(prefix="photos-"))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one core: the resize may run on torch
    try:
        files = [str(p) for p in make_photos(folder, {"cat": n}, mode=mode)]
        size = (64, 64)

        def before(path):
            return old_pillow_path(path, size, mode)

        def new(path):
            return _decode.decode_image(path, mode=mode, size=size, resize="squash")

        def new_pillow(path):
            with Pillow():
                return new(path)

        paths = {"before (Pillow, full decode)": before,
                 "now, simplejpeg (DCT scale)": new,
                 "now, Pillow (draft mode)": new_pillow}  # fmt: skip
        times = {key: [] for key in paths}
        for _ in range(rounds):
            for key, decode in paths.items():
                start = time.perf_counter()
                for f in files:
                    decode(f)
                times[key].append((time.perf_counter() - start) / n * 1e3)
        median = {key: statistics.median(v) for key, v in times.items()}
        kind = "grey" if mode == "L" else "RGB"
        print(f"\n== {section}. {n} {kind} photos of 250-400 px to 64x64, one core, "
              f"median of {rounds}")  # fmt: skip
        for key, ms in median.items():
            print(f"  {key:<32}{ms:7.2f} ms an image")
        slow = median["before (Pillow, full decode)"]
        for key in list(paths)[1:]:
            print(f"  speed-up, {key}: {slow / median[key]:.1f}x [target >= 4x]")
        # the pixels differ from a full decode by the DCT-domain reduction
        diff = np.abs(
            new(files[0]).astype(int)
            - before(files[0]).reshape(*size, -1).transpose(2, 0, 1).astype(int)
        )
        print(
            f"  pixels against the full decode: mean |difference| {diff.mean():.2f}"
            f", max {diff.max()} (of 255)"
        )
    finally:
        torch.set_num_threads(threads)
        shutil.rmtree(folder)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lenet-iters", type=int, default=100)
    parser.add_argument("--allcnn-iters", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--photos", type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(2)
    lazy, y = load_cifar10(return_X_y=True)
    cache = Path(tempfile.mkdtemp(prefix="cifar-cache-"))
    try:
        folder = get_data_home() / "cifar10-jpg" / "train"
        start = time.perf_counter()
        bunch = load_image_folder(folder, cache=cache / "train")
        build = time.perf_counter() - start
        cached = bunch.data
        assert np.array_equal(bunch.target, y)
        uint8 = np.asarray(cached)
        print(
            f"CIFAR-10 training folder {lazy.shape}; cache built in {build:.1f} s "
            f"({len(lazy) / build:.0f} images/s on 2 cores, headers read first)"
        )
        for name, make_net, updates, batch in (
            ("LeNet-5", LeNet5Classifier, args.lenet_iters, 64),
            ("All-CNN", AllCNNClassifier, args.allcnn_iters, 256),
        ):
            if updates:

                def make(n, make_net=make_net):
                    return make_net(max_iter=n, device="cpu", random_state=0)

                training(lazy, cached, uint8, y, args.rounds, name, make, updates,
                         batch)  # fmt: skip
        per_image(lazy, cached)
    finally:
        shutil.rmtree(cache)
    photos(args.photos, args.rounds, "RGB", 3)
    photos(args.photos, args.rounds, "L", 4)


if __name__ == "__main__":
    main()
