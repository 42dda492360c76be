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
"""

import argparse
import os
from pathlib import Path

from skimbalance.datasets._home import get_data_home

COUNTS = {"airplane": 2000, "automobile": 600, "bird": 150, "cat": 40}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("target", help="the folder to create")
    target = Path(parser.parse_args().target)
    source = get_data_home() / "cifar10-jpg" / "train"
    for name, count in COUNTS.items():
        folder = target / name
        folder.mkdir(parents=True, exist_ok=True)
        for path in sorted((source / name).iterdir())[:count]:
            link = folder / path.name
            if not link.exists():
                os.symlink(path.resolve(), link)
    print(f"{target}: " + ", ".join(f"{n} {c}" for n, c in COUNTS.items()))


if __name__ == "__main__":
    main()
