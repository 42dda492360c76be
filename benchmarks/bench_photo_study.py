"""How much of a study on full-size photos goes into decoding them.

Run from the repository root (``PYTHONPATH=.`` unless skimbalance is
installed)::

    SKIMBALANCE_DATA=../shared/datasets PYTHONPATH=. \\
        python benchmarks/bench_photo_study.py

The folder (made in a temporary directory): 1300 grey-scale JPEGs of 250-400
pixels a side, of varied aspect, in 6 classes of 600, 300, 200, 100, 60 and 40
(CIFAR-10 images upscaled, like the inspection photos of issue 18). The study:
``run_study(imbalance="natural", methods=[baseline, ros, rus, thresholding],
image_size=64, folds=3, repeats=1, curves=False)``, LeNet-5, 300 updates a
model, 2 CPU threads. The time spent in decoding (every call of the file
decoder, measured) over the study's wall time, for the study as it is
(decoded once into memory) and, for comparison, with a memory budget of 0
(decoded at every batch, as before). Target: < 10 % decoding.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

from skimbalance.datasets import _image_files
from skimbalance.study import run_study

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _photos import make_photos  # noqa: E402

COUNTS = {"airplane": 600, "automobile": 300, "bird": 200, "cat": 100, "deer": 60,
          "dog": 40}  # fmt: skip


def timed_study(folder, out, memory_budget):
    spent = []
    original = _image_files.decode_image

    def decode(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    _image_files.decode_image = decode
    try:
        start = time.perf_counter()
        run_study(
            dataset=str(folder), imbalance="natural",
            methods=["baseline", "ros", "rus", "thresholding"], image_size=64,
            folds=3, repeats=1, curves=False, max_iter=300,
            memory_budget=memory_budget, out=out, quiet=True,
        )  # fmt: skip
        wall = time.perf_counter() - start
    finally:
        _image_files.decode_image = original
    return wall, sum(spent), len(spent)


def main():
    torch.set_num_threads(2)
    root = Path(tempfile.mkdtemp(prefix="photo-study-"))
    try:
        start = time.perf_counter()
        make_photos(root / "photos", COUNTS, mode="L")
        print(f"{sum(COUNTS.values())} grey JPEGs of 250-400 px made in "
              f"{time.perf_counter() - start:.0f} s")  # fmt: skip
        for label, budget in (("decoded once (default)", None),
                              ("decoded every batch (budget 0)", 0)):  # fmt: skip
            wall, decoding, calls = timed_study(root / "photos", root / label, budget)
            print(f"{label:<32} study {wall:7.1f} s, decoding {decoding:6.1f} s in "
                  f"{calls} decodes: {100 * decoding / wall:5.1f} % "
                  "[target < 10 %]")  # fmt: skip
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
