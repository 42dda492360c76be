"""Look up and build the training criteria of :mod:`skimbalance.losses` by name."""

import copy

from torch import nn

from ._class_balanced import ClassBalancedLoss
from ._focal import FocalLoss
from ._ldam import LDAMLoss
from ._logit_adjusted import LogitAdjustedLoss

__all__ = ["LOSSES", "build_loss"]

#: Criteria known by name, as accepted by :func:`build_loss`; each builds a
#: criterion returning per-example losses (``reduction="none"``).
LOSSES = {
    "cross_entropy": lambda: nn.CrossEntropyLoss(reduction="none"),
    "focal": lambda: FocalLoss(reduction="none"),
    "class_balanced": lambda: ClassBalancedLoss(reduction="none"),
    "logit_adjusted": lambda: LogitAdjustedLoss(reduction="none"),
    # s=1: the paper's networks end in a plain linear layer, not the
    # normalised one that LDAM's s=30 is meant for (s=30 diverges at lr 0.01).
    "ldam": lambda: LDAMLoss(s=1.0, reduction="none"),
}


def build_loss(loss):
    """A criterion on raw logits that returns one loss per example.

    Parameters
    ----------
    loss : str or torch.nn.Module
        A key of :data:`LOSSES`, or a criterion. A criterion is deep-copied
        (the caller's is never changed) and its ``reduction`` set to
        ``"none"``. :class:`torch.nn.NLLLoss` expects log-probabilities: it
        is wrapped so that it gets ``log_softmax(logits)``, as skorch does.

    Returns
    -------
    criterion : torch.nn.Module
        Called as ``criterion(logits, target)``; returns shape ``(n,)``.

    Examples
    --------
    >>> import torch
    >>> from skimbalance.losses import build_loss
    >>> criterion = build_loss("focal").set_class_counts([90, 10])
    >>> criterion(torch.zeros(3, 2), torch.tensor([0, 1, 1])).shape
    torch.Size([3])
    >>> build_loss(torch.nn.NLLLoss())(torch.zeros(2, 4), torch.tensor([0, 3]))
    tensor([1.3863, 1.3863])
    """
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(
                f"Unknown loss {loss!r}; expected one of {sorted(LOSSES)}."
            )
        return LOSSES[loss]()
    criterion = copy.deepcopy(loss)
    if hasattr(criterion, "reduction"):
        criterion.reduction = "none"
    if isinstance(criterion, nn.NLLLoss):
        return _OnLogSoftmax(criterion)
    return criterion


class _OnLogSoftmax(nn.Module):
    """A criterion on log-probabilities, fed ``log_softmax`` of the logits."""

    def __init__(self, criterion):
        super().__init__()
        self.criterion = criterion

    def forward(self, logits, target):
        return self.criterion(logits.log_softmax(dim=1), target)
