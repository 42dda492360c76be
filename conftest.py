"""Test session defaults: find the shared MNIST copy when SKIMBALANCE_DATA is unset."""

import os
from pathlib import Path

_shared = Path(__file__).resolve().parent.parent / "shared" / "datasets"
if "SKIMBALANCE_DATA" not in os.environ and (_shared / "mnist").is_dir():
    os.environ["SKIMBALANCE_DATA"] = str(_shared)
