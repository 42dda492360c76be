"""Build a naturally imbalanced image folder from the CIFAR-10 JPEG folder.

Run from the repository root::

    SKIMBALANCE_DATA=../shared/datasets \\
        python benchmarks/make_natural_folder.py /tmp/cifar-natural

Four classes with a long tail, as a user's own data might have: 2000 airplanes,
600 automobiles, 150 birds and 40 cats, the first files of each class folder of
``<data home>/cifar10-jpg/train``, linked (symbolic links, no copies) into
``<target>/<class>/``. It is the folder of the committed
``benchmarks/results/own_data_natural`` run::

    skimbalance study --dataset /tmp/cifar-natural --imbalance natural --folds 3 \\
        --methods all --max-iter 300 --out benchmarks/results/own_data_natural

``--counts`` picks other classes and sizes, e.g. the ``--quick`` timing folder::

    python benchmarks/make_natural_folder.py /tmp/cifar-quick \\
        --counts airplane=400,automobile=80,bird=16
"""

import argparse
import os
from pathlib import Path

from skimbalance.datasets._home import get_data_home

COUNTS = {"airplane": 2000, "automobile": 600, "bird": 150, "cat": 40}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("target", help="the folder to create")
    parser.add_argument(
        "--counts",
        default=",".join(f"{k}={v}" for k, v in COUNTS.items()),
        help="class=count pairs, comma separated (default: %(default)s)",
    )
    args = parser.parse_args()
    target = Path(args.target)
    counts = {
        name: int(n) for name, n in (p.split("=") for p in args.counts.split(","))
    }
    source = get_data_home() / "cifar10-jpg" / "train"
    for name, count in counts.items():
        folder = target / name
        folder.mkdir(parents=True, exist_ok=True)
        for path in sorted((source / name).iterdir())[:count]:
            link = folder / path.name
            if not link.exists():
                os.symlink(path.resolve(), link)
    print(f"{target}: " + ", ".join(f"{c} {n}" for n, c in counts.items()))


if __name__ == "__main__":
    main()
