"""Test session defaults: find the shared datasets when SKIMBALANCE_DATA is unset,
and skip the examples that need a dataset the machine does not have."""

import os
from pathlib import Path

import pytest

_shared = Path(__file__).resolve().parent.parent / "shared" / "datasets"
if "SKIMBALANCE_DATA" not in os.environ and (_shared / "mnist").is_dir():
    os.environ["SKIMBALANCE_DATA"] = str(_shared)

#: Doctests that read a dataset -> the folder they need under SKIMBALANCE_DATA.
_DATASET_DOCTESTS = {
    "skimbalance.datasets._mnist.load_mnist": "mnist",
    "skimbalance.datasets._cifar10.load_cifar10": "cifar10-jpg",
}


def pytest_configure(config):
    """One torch thread: the test networks are tiny, and with 2 threads a busy
    2-core machine makes them 50-100x slower (OpenMP threads spin-waiting)."""
    import torch

    torch.set_num_threads(1)


def pytest_collection_modifyitems(config, items):
    """Skip a loader's example offline when its data is not on this machine."""
    home = os.environ.get("SKIMBALANCE_DATA")
    for item in items:
        folder = _DATASET_DOCTESTS.get(item.name)
        if folder and not (home and (Path(home) / folder).is_dir()):
            item.add_marker(
                pytest.mark.skip(
                    reason=f"set SKIMBALANCE_DATA to a folder holding {folder}/"
                )
            )
