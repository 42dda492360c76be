"""Helpers of the memory benchmarks: RSS readings and one fresh process per case.

A process's peak RSS cannot be lowered, so every measured case runs in its own
interpreter (:func:`child`), which prints one JSON line as its last output.
"""

import json
import os
import subprocess
import sys


def peak_kib():
    """Peak resident set size of this process (KiB, Linux): since it started,
    or since the last :func:`reset_peak`."""
    return _status("VmHWM:")


def reset_peak():
    """Start the peak over from the current RSS (Linux's ``clear_refs``), so
    that a step's own peak is measured, not an earlier step's."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def current_kib():
    """Resident set size of this process now (KiB), from /proc/self/status."""
    return _status("VmRSS:")


def _status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    return -1


def child(script, args):
    """Run ``script`` with ``args`` in a new interpreter; return its last JSON line."""
    out = subprocess.run(
        [sys.executable, os.path.abspath(script), *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def mib(kib):
    return kib / 1024
