"""A long training killed with SIGKILL resumes from its last checkpoint and ends
as an uninterrupted one would: the same number of updates, a history of every
update, and the learning-rate schedule of one run."""

import runpy
import signal
import subprocess
import sys
import textwrap
from unittest import mock

import numpy as np
import pytest
import torch

from skimbalance.cnn._history import History
from skimbalance.cnn._schedule import lr_multiplier

#: Trains 600 updates (6 epochs of 100), a checkpoint every 200; with a
#: second argument, SIGKILLs itself at that update (in the middle of an epoch).
SCRIPT = textwrap.dedent(
    """
    import os, signal, sys

    import torch
    from skorch.callbacks import Callback, Checkpoint, LoadInitState

    from skimbalance.cnn import CNNClassifier
    from skimbalance.datasets import load_digit_images

    torch.set_num_threads(1)
    folder, kill_at = sys.argv[1], int(sys.argv[2])


    class KillAt(Callback):
        def on_train_begin(self, net, **kwargs):
            self.made_ = 0

        def on_batch_end(self, net, training=False, **kwargs):
            self.made_ += training
            if self.made_ == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)


    every_200 = Checkpoint(dirname=folder, monitor=lambda net: net.n_iter_ % 200 == 0)
    X, y = load_digit_images(return_X_y=True)
    net = CNNClassifier(
        "mlp", max_iter=600, batch_size=4, lr=0.05, lr_schedule="step",
        device="cpu", random_state=0,
        callbacks=[every_200, LoadInitState(every_200), KillAt()],
    )
    net.fit(X[:400], y[:400])
    net.save_params(f_history=os.path.join(folder, "final.json"))
    """
)


def resume_in_process(folder):
    threads = torch.get_num_threads()
    with mock.patch.object(sys, "argv", ["train.py", str(folder), "0"]):
        try:
            runpy.run_path(str(folder / "train.py"), run_name="__main__")
        finally:
            torch.set_num_threads(threads)


def run(folder, kill_at=0):
    script = folder / "train.py"
    script.write_text(SCRIPT)
    return subprocess.run(
        [sys.executable, str(script), str(folder), str(kill_at)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.slow
def test_killed_training_resumes_from_its_checkpoint(tmp_path):
    killed = run(tmp_path, kill_at=450)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    checkpoint = History.from_file(tmp_path / "history.json")
    assert sum(checkpoint[:, "train_batch_count"]) == 400  # the last one saved
    assert not (tmp_path / "final.json").exists()

    # resumed in this process (a new net, as a new process would build it):
    # the same script, without the kill; one interpreter start fewer
    resume_in_process(tmp_path)
    history = History.from_file(tmp_path / "final.json")
    assert len(history) == 6 and history[:, "train_batch_count"] == [100] * 6
    rates = [b["event_lr"] for epoch in history for b in epoch["batches"]]
    uninterrupted = [0.05 * lr_multiplier("step", t, 600) for t in range(600)]
    np.testing.assert_allclose(rates, uninterrupted, rtol=0, atol=1e-15)
    assert np.isfinite(history[:, "train_loss"]).all()
