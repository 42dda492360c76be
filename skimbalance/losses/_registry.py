"""Look up and build the training criteria of :mod:`skimbalance.losses` by name."""

import copy

from torch import nn

from ._class_balanced import ClassBalancedLoss
from ._focal import FocalLoss
from ._ldam import LDAMLoss
from ._logit_adjusted import LogitAdjustedLoss

__all__ = ["LOSSES", "build_loss"]

#: Criteria known by name, as accepted by :func:`build_loss`: name -> (class,
#: defaults). Each is built returning per-example losses (``reduction="none"``).
LOSSES = {
    "cross_entropy": (nn.CrossEntropyLoss, {}),
    "focal": (FocalLoss, {}),
    "class_balanced": (ClassBalancedLoss, {}),
    "logit_adjusted": (LogitAdjustedLoss, {}),
    # s=1: the paper's networks end in a plain linear layer, not the
    # normalised one that LDAM's s=30 is meant for (s=30 diverges at lr 0.01).
    "ldam": (LDAMLoss, {"s": 1.0}),
}


def build_loss(loss, **params):
    """A criterion on raw logits that returns one loss per example.

    Parameters
    ----------
    loss : str, type or torch.nn.Module
        A key of :data:`LOSSES`, a criterion class, or a criterion instance.
        An instance is deep-copied (the caller's is never changed). Whatever
        was given, the result has ``reduction="none"``.
        :class:`torch.nn.NLLLoss` expects log-probabilities: it is wrapped so
        that it gets ``log_softmax(logits)``, as skorch does.
    **params
        Constructor arguments of a named loss or a class (skorch's
        ``criterion__*`` parameters), e.g. ``gamma=1.0`` for ``"focal"``.
        Not allowed with an instance.

    Returns
    -------
    criterion : torch.nn.Module
        Called as ``criterion(logits, target)``; returns shape ``(n,)``.

    Examples
    --------
    >>> import torch
    >>> from skimbalance.losses import build_loss
    >>> criterion = build_loss("focal", gamma=1.0).set_class_counts([90, 10])
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
        cls, defaults = LOSSES[loss]
        criterion = cls(**{**defaults, **params, "reduction": "none"})
    elif isinstance(loss, nn.Module):
        if params:
            raise ValueError(
                f"Options cannot be applied to a criterion instance; got "
                f"{sorted(params)}. Pass the criterion class instead."
            )
        criterion = copy.deepcopy(loss)
    else:
        criterion = loss(**params)
    if hasattr(criterion, "reduction"):
        criterion.reduction = "none"
    if isinstance(criterion, nn.NLLLoss):
        return _OnLogSoftmax(criterion)
    return criterion


def loss_class(loss):
    """The class :func:`build_loss` builds for ``loss`` (a name, class or instance)."""
    if isinstance(loss, str):
        return LOSSES[loss][0]
    return type(loss) if isinstance(loss, nn.Module) else loss


class _OnLogSoftmax(nn.Module):
    """A criterion on log-probabilities, fed ``log_softmax`` of the logits."""

    def __init__(self, criterion):
        super().__init__()
        self.criterion = criterion

    def forward(self, logits, target):
        return self.criterion(logits.log_softmax(dim=1), target)
