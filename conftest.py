"""Test session defaults: find the shared MNIST copy when SKIMBALANCE_DATA is unset."""

import os
from pathlib import Path

_shared = Path(__file__).resolve().parent.parent / "shared" / "datasets"
if "SKIMBALANCE_DATA" not in os.environ and (_shared / "mnist").is_dir():
    os.environ["SKIMBALANCE_DATA"] = str(_shared)


def pytest_configure(config):
    """One torch thread: the test networks are tiny, and with 2 threads a busy
    2-core machine makes them 50-100x slower (OpenMP threads spin-waiting)."""
    import torch

    torch.set_num_threads(1)
