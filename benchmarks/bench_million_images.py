"""A million images: folder scan, lazy memory, imbalance + ROS + 5-fold splits,
cache build and training from the cache, and the same on a memory map.

Run from the repository root (``PYTHONPATH=.`` unless skimbalance is
installed); the folder is made outside the repository on first use (about
4 GB of 4 KiB blocks, a few minutes) and kept::

    PYTHONPATH=. python benchmarks/bench_million_images.py \\
        --n 1000000 --folder /tmp/million --cache /tmp/million-cache

``--cases resample,memmap_resample`` runs some cases only (``memmap_resample``
and the training cases need a cache built before).

The folder: 10 classes of 16x16 grey PNG files, linearly imbalanced (class
``k`` holds ``(k + 1) / 55`` of the images), each class a distinct brightness
plus noise. Every case runs in a fresh interpreter (``_processes.child``) and
reports its wall time and what it adds to the process's memory: the increase
of the current and of the peak RSS over its baseline after imports.

* ``scan``: ``load_image_folder(folder, mode="L", check_files=False)`` (the
  listing and the lazy array). Targets: <= 60 s, <= 200 MB.
* ``scan_headers``: the same with ``check_files=True`` (every header read).
* ``resample``: after the scan, ``RatioOverSampler`` to full balance on all of
  it (target: <= 50 MB added at its peak); then, measured apart,
  ``StepImbalanceSampler(rho=10, mu=0.5)``, ``RatioOverSampler`` again and
  every split of ``StratifiedKFold(5)`` made into lazy views. Each step's
  peak is its own: the peak is reset (``/proc/self/clear_refs``) before it,
  so the scan's earlier peak cannot hide it, and the same calls run first on
  1000 rows, so that modules imported on first use are not counted.
* ``cache_build``: ``load_image_folder(..., cache=...)`` building the cache
  (images/s per core). ``cache_open``: opening it again (the index checked
  against every file's size and time).
* ``train_cache`` / ``train_memory``: ``LeNet5Classifier(max_iter=300)`` on
  the cached million (the memory map) and on the same pixels in memory, each
  timed after an untimed fit of 50 updates (a first fit pays one-off costs,
  and a just-copied array's first touch was several times slower here).
* ``memmap_resample``: the ``resample`` case on ``ImageArray`` over the cache's
  ``images.npy`` opened with ``np.load(mmap_mode="r")``, no folder.

Memory must stay flat in the number of images but for the index: the scan's
increase divided by ``--n`` is the bytes an image costs.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _processes import child, current_kib, mib, peak_kib, reset_peak  # noqa: E402

CLASSES = 10
SIDE = 16
CASES = ("scan", "scan_headers", "resample", "cache_build", "cache_open",
         "train_cache", "train_memory", "memmap_resample")  # fmt: skip


def counts(n):
    weights = [k + 1 for k in range(CLASSES)]
    sizes = [n * w // sum(weights) for w in weights]
    sizes[-1] += n - sum(sizes)
    return sizes


def make_folder(folder, n):
    """Write the images (256 distinct PNG files a class, written as bytes)."""
    import io

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for k, size in enumerate(counts(n)):
        blobs = []
        for _ in range(256):
            pixels = np.clip(rng.normal(20 + 22 * k, 12, (SIDE, SIDE)), 0, 255)
            buffer = io.BytesIO()
            Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG")
            blobs.append(buffer.getvalue())
        target = folder / f"class{k}"
        target.mkdir(parents=True, exist_ok=True)
        for i in range(size):
            (target / f"{i:07d}.png").write_bytes(blobs[i % 256])
    (folder / ".complete").write_text(str(n))
    return time.perf_counter() - start


def case(name, folder, cache):
    """Run one case in this process; print its JSON line."""
    import numpy as np
    import torch

    torch.set_num_threads(2)
    from sklearn.model_selection import StratifiedKFold

    from skimbalance.cnn import LeNet5Classifier
    from skimbalance.datasets import ImageArray, load_image_folder
    from skimbalance.sampling import RatioOverSampler, StepImbalanceSampler

    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # lazy imports
    base, base_peak = current_kib(), peak_kib()
    out = {"case": name}
    start = time.perf_counter()

    def resample(X, y):
        """ROS alone, then the chain; each step's own peak over its start,
        after the same calls on 1000 rows (modules imported on first use and
        first-call costs are not an image's)."""
        few = np.linspace(0, len(y) - 1, 1000).astype(np.int64)
        small = StepImbalanceSampler(rho=10, mu=0.5, random_state=0).fit_resample(
            X[few], y[few]
        )
        RatioOverSampler(random_state=0).fit_resample(*small)
        reset_peak()
        before, t = current_kib(), time.perf_counter()
        full = RatioOverSampler(random_state=0).fit_resample(X, y)[0]
        out.update(ros_full_rows=len(full), ros_seconds=time.perf_counter() - t,
                   ros_peak=mib(peak_kib() - before))  # fmt: skip
        del full
        reset_peak()
        before, t = current_kib(), time.perf_counter()
        X, y = StepImbalanceSampler(rho=10, mu=0.5, random_state=0).fit_resample(X, y)
        X, y = RatioOverSampler(random_state=0).fit_resample(X, y)
        views = 0
        for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
            views += len(X[train]) + len(X[test])
        out.update(rows=len(X), views=views, resample_seconds=time.perf_counter() - t,
                   chain_peak=mib(peak_kib() - before))  # fmt: skip

    if name in ("scan", "scan_headers", "resample"):
        data = load_image_folder(folder, mode="L", check_files=name == "scan_headers")
        out["images"] = len(data.data)
        if name == "resample":
            resample(data.data, data.target)
    elif name in ("cache_build", "cache_open"):
        data = load_image_folder(folder, mode="L", check_files=False, cache=cache)
        out["images"] = len(data.data)
    elif name in ("train_cache", "train_memory"):
        data = load_image_folder(folder, mode="L", check_files=False, cache=cache)
        X = data.data if name == "train_cache" else np.asarray(data.data)
        # untimed: first-call costs, and the first touch of a new 256 MB array
        LeNet5Classifier(max_iter=50, random_state=1).fit(X, data.target)
        t = time.perf_counter()
        LeNet5Classifier(max_iter=300, random_state=0).fit(X, data.target)
        out["samples_per_second"] = 300 * 64 / (time.perf_counter() - t)
    elif name == "memmap_resample":
        images = np.load(Path(cache) / "images.npy", mmap_mode="r")
        X = ImageArray(images, data_format="channels_first")
        y = np.repeat(np.arange(CLASSES), counts(len(X)))
        resample(X, y)
    out["seconds"] = time.perf_counter() - start
    out["rss"] = mib(current_kib() - base)
    if "ros_peak" not in out:  # the resample cases reset the peak
        out["peak"] = mib(peak_kib() - max(base, base_peak))
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--folder", default="/tmp/million")
    parser.add_argument("--cache", default="/tmp/million-cache")
    parser.add_argument("--make-only", action="store_true", help="make the folder")
    parser.add_argument("--cases", default=",".join(CASES),
                        help="comma-separated, in order (default: all)")  # fmt: skip
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(args.folder)
    names = args.cases.split(",")
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        parser.error(f"--cases: unknown {unknown}; choose from {', '.join(CASES)}")
    if args.case:
        return case(args.case, folder, args.cache)
    marker = folder / ".complete"
    if not (marker.exists() and marker.read_text() == str(args.n)):
        seconds = make_folder(folder, args.n)
        print(f"made {args.n} images in {folder} in {seconds:.0f} s")
    if args.make_only:
        return
    if "cache_build" in names:
        import shutil

        shutil.rmtree(args.cache, ignore_errors=True)
    results = {}
    for name in names:
        flags = ["--n", str(args.n), "--folder", str(folder), "--cache", args.cache]
        results[name] = r = child(__file__, [*flags, "--case", name])
        peak = r.get("peak", max(r.get("ros_peak", 0), r.get("chain_peak", 0)))
        print(f"{name:<16} {r['seconds']:8.1f} s   +RSS {r['rss']:7.1f} MiB   "
              f"+peak {peak:7.1f} MiB")  # fmt: skip
    summary(results, args.n)


def summary(results, n):
    """The targets' lines, for the cases that ran."""
    print(f"\n{n} images, {len(os.sched_getaffinity(0))} cores")
    if "scan" in results:
        scan = results["scan"]
        print(f"scan: {scan['seconds']:.1f} s [target <= 60 s], lazy load "
              f"+{scan['peak']:.0f} MiB peak [target <= 200 MB], "
              f"{scan['rss'] * 2**20 / n:.0f} bytes an image")  # fmt: skip
    if "scan_headers" in results:
        seconds = results["scan_headers"]["seconds"]
        print(f"scan reading every header: {seconds:.1f} s")
    for name in ("resample", "memmap_resample"):
        if name in results:
            r = results[name]
            print(f"{name}: ROS to {r['ros_full_rows']} rows in {r['ros_seconds']:.1f} "
                  f"s, +{r['ros_peak']:.1f} MiB peak [target <= 50 MB]; then step "
                  f"imbalance + ROS to {r['rows']} rows + 5 folds of views in "
                  f"{r['resample_seconds']:.1f} s, +{r['chain_peak']:.1f} MiB "
                  "peak")  # fmt: skip
    cores = len(os.sched_getaffinity(0))
    if "cache_build" in results:
        build = results["cache_build"]
        print(f"cache build: {n / build['seconds']:.0f} images/s "
              f"({n / build['seconds'] / cores:.0f} per core), +{build['peak']:.0f} "
              "MiB peak")  # fmt: skip
    if "cache_open" in results:
        print(f"opening the cache again: {results['cache_open']['seconds']:.1f} s")
    if "train_cache" in results and "train_memory" in results:
        cached = results["train_cache"]["samples_per_second"]
        memory = results["train_memory"]["samples_per_second"]
        print(f"LeNet-5 from the cache: {cached:.0f} samples/s, in memory "
              f"{memory:.0f}: {cached / memory:.3f}x")  # fmt: skip


if __name__ == "__main__":
    main()
