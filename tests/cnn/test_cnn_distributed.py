"""One training on two processes through skorch's AccelerateMixin (gloo on the
CPU, as ``accelerate launch`` or ``torchrun`` starts it on GPUs)."""

import json
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from skimbalance.cnn import CNNClassifier
from skimbalance.datasets import load_digit_images

pytest.importorskip("accelerate")

#: Each process fits twice and writes what it saw to <folder>/rank<r>.json.
SCRIPT = textwrap.dedent(
    """
    import json, os, sys

    import torch
    from accelerate import Accelerator, DataLoaderConfiguration
    from skorch.callbacks import EarlyStopping
    from skorch.hf import AccelerateMixin
    from skorch.history import DistributedHistory

    from skimbalance.cnn import CNNClassifier
    from skimbalance.datasets import load_digit_images

    torch.set_num_threads(1)
    folder, port = sys.argv[1], int(sys.argv[2])


    class AcceleratedCNN(AccelerateMixin, CNNClassifier):
        "CNNClassifier trained by accelerate."


    # split_batches: each global batch of batch_size is split between the
    # processes, so max_iter and batch_size mean what they mean on one device
    accelerator = Accelerator(
        cpu=True, dataloader_config=DataLoaderConfiguration(split_batches=True)
    )
    rank, world = accelerator.process_index, accelerator.num_processes
    store = torch.distributed.TCPStore("127.0.0.1", port, world, rank == 0)
    X, y = load_digit_images(return_X_y=True)
    X, y = X[:256], y[:256]
    common = dict(accelerator=accelerator, max_iter=40, batch_size=32, random_state=0)

    plain = AcceleratedCNN(
        "mlp", history=DistributedHistory(store=store, rank=rank, world_size=world),
        **common,
    ).fit(X, y)
    stop = EarlyStopping(patience=1, threshold=0.05, threshold_mode="abs")
    stopped = AcceleratedCNN(
        "mlp", history=DistributedHistory(store=store, rank=rank, world_size=world),
        train_split=0.25, callbacks=[stop], **{**common, "max_iter": 400},
    ).fit(X, y)
    with open(os.path.join(folder, f"rank{rank}.json"), "w") as f:
        json.dump({
            "proba": plain.predict_proba(X).tolist(),
            "n_iter": plain.n_iter_,
            "stopped_n_iter": stopped.n_iter_,
            "valid_loss": stopped.history[:, "valid_loss"],
            "batches": len(stopped.history[-1, "batches"]),
        }, f)
    """
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_processes_train_the_model_of_one(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone",
         "--nproc_per_node=2", str(script), str(tmp_path), str(free_port())],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]

    X, y = load_digit_images(return_X_y=True)
    one = CNNClassifier(
        "mlp", max_iter=40, batch_size=32, device="cpu", random_state=0
    ).fit(X[:256], y[:256])
    for rank in ranks:
        # 256 examples: every global batch of 32 splits evenly in two, so the
        # two processes make the same 40 updates as one process
        assert rank["n_iter"] == 40
        np.testing.assert_allclose(
            rank["proba"], one.predict_proba(X[:256]), rtol=0, atol=1e-5
        )
    # the history is synced: both stop at the same epoch, on the same losses
    assert ranks[0]["stopped_n_iter"] == ranks[1]["stopped_n_iter"] < 400
    assert ranks[0]["valid_loss"] == ranks[1]["valid_loss"]
    assert ranks[0]["batches"] == ranks[1]["batches"] > 0
