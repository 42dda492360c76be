"""Base class and shared helpers for the imbalance-aware torch criteria."""

from numbers import Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval
from torch import nn

from ..utils._docstrings import fill_docstring
from ..utils._validation import check_parameter

_REDUCTIONS = ("mean", "sum", "none")

# Docstring fragments shared by every loss, substituted by ``_fill_doc``.
_SHARED_DOCS = {
    "{class_counts}": """class_counts : array-like of shape (n_classes,), default=None
        Number (or total weight) of training examples of each class, ordered
        by class position: entry ``c`` belongs to target value ``c``. All
        entries must be > 0. May also be given later with
        :meth:`set_class_counts`.""",
    "{reduction}": """reduction : {"mean", "sum", "none"}, default="mean"
        ``"none"`` returns the per-sample losses, shape ``(n,)``; ``"sum"``
        their sum; ``"mean"`` their plain mean over the batch. Per-class
        weights are part of the per-sample loss, so ``"mean"`` is **not**
        divided by the sum of the weights of the batch, unlike
        :class:`torch.nn.CrossEntropyLoss` with ``weight=``.""",
    "{call}": """Call the module as ``criterion(logits, target)`` with raw
    (unnormalised) ``logits`` of shape ``(n, n_classes)`` and integer class positions
    ``target`` of shape ``(n,)`` in ``0 .. n_classes - 1``.""",
}


def _fill_doc(obj):
    """Substitute the shared docstring fragments into ``obj.__doc__``."""
    return fill_docstring(obj, _SHARED_DOCS)


def _check_real(value, name, owner, *, low=None, high=None, closed="both"):
    """A real hyper-parameter in the interval from ``low`` to ``high`` (``closed``
    says which ends are allowed), as a float; scikit-learn's error otherwise."""
    check_parameter(value, name, [Interval(Real, low, high, closed=closed)], owner)
    return float(value)


def _check_per_class(values, name, *, allow_zero):
    """Validate a 1-D array of finite per-class numbers; return float64."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a 1-D array-like of numbers; got {values!r}."
        ) from exc
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D array-like of per-class values; "
            f"got an array of shape {arr.shape}."
        )
    bad = ~np.isfinite(arr) | (arr < 0 if allow_zero else arr <= 0)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"All entries of {name} must be finite and {bound}; got "
            f"{name}[{pos}]={arr[pos]:g}."
        )
    return arr


def class_balanced_weights(counts, beta):
    """Class-balanced weights of Cui et al. (2019), normalised to sum to C.

    ``w_c = (1 - beta) / (1 - beta**n_c)``, the inverse of the "effective
    number" of examples of class ``c``. ``beta=0`` gives equal weights.
    """
    counts = np.asarray(counts, dtype=np.float64)
    weights = (1.0 - beta) / (1.0 - np.power(beta, counts))
    return weights * (counts.size / weights.sum())


class ImbalanceLoss(nn.Module):
    """Base class of the criteria in :mod:`skimbalance.losses`.

    Holds the class counts as a float buffer (so ``.to(device)`` and
    ``.double()`` move it), the reduction, the shape checks of ``forward``
    and the training-progress hook. Subclasses implement
    :meth:`_per_sample_loss` and, when they derive per-class quantities from
    the counts, :meth:`_update_from_counts`. A subclass ``__init__`` calls
    ``super().__init__(reduction=reduction)``, stores its (validated)
    hyper-parameters, then ``self.set_class_counts(class_counts)`` when
    counts were given.

    Parameters
    ----------
    {reduction}

    Examples
    --------
    A cross-entropy weighted by inverse class frequency, in a few lines:

    >>> import torch
    >>> import torch.nn.functional as F
    >>> from skimbalance.losses import ImbalanceLoss
    >>> class InverseFrequencyLoss(ImbalanceLoss):
    ...     def _update_from_counts(self, counts):
    ...         self.register_buffer("weights", self._as_buffer(1 / counts))
    ...     def _per_sample_loss(self, logits, target):
    ...         weights = self._cast(self.weights, logits)[target]
    ...         return weights * F.cross_entropy(logits, target, reduction="none")
    >>> criterion = InverseFrequencyLoss().set_class_counts([90, 10])
    >>> logits = torch.zeros(2, 2)
    >>> round(criterion(logits, torch.tensor([0, 1])).item(), 4)
    0.0385
    """

    #: Whether ``forward`` needs class counts to have been set.
    _requires_counts = True

    def __init__(self, *, reduction="mean"):
        super().__init__()
        if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
            raise ValueError(
                f"The 'reduction' parameter of {type(self).__name__} must be "
                f"one of {_REDUCTIONS}; got reduction={reduction!r}."
            )
        self.reduction = reduction
        self.register_buffer("class_counts", None)

    # -- counts and progress ------------------------------------------------
    def set_class_counts(self, counts):
        """(Re)set the per-class counts and everything derived from them.

        Parameters
        ----------
        counts : array-like of shape (n_classes,)
            Count (or total weight) of each class, ordered by class position,
            all > 0.

        Returns
        -------
        self : ImbalanceLoss
        """
        if isinstance(counts, torch.Tensor):
            counts = counts.detach().cpu().numpy()
        arr = _check_per_class(counts, "class_counts", allow_zero=False)
        self._update_from_counts(arr)
        self.class_counts = self._as_buffer(arr)
        return self

    def set_progress(self, fraction):
        """Tell the loss how far training has got, in ``[0, 1]``.

        Called by the training loop at every step. The default does nothing
        but validate; :class:`LDAMLoss` uses it for deferred re-weighting.

        Parameters
        ----------
        fraction : float
            Updates made over the training budget, in ``[0, 1]``.

        Returns
        -------
        self : ImbalanceLoss
        """
        _check_real(fraction, "fraction", "set_progress", low=0.0, high=1.0)
        return self

    def _update_from_counts(self, counts):
        """Recompute per-class buffers from float64 ``counts`` (hook)."""

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # A loss without counts has no per-class buffers yet: make them from
        # the saved counts, so that a saved loss loads into a new one.
        counts = state_dict.get(prefix + "class_counts")
        if counts is not None and self.class_counts is None:
            self.set_class_counts(counts)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _as_buffer(self, values):
        """A float tensor of ``values`` on the device and dtype of the counts."""
        like = self.class_counts
        if like is None:
            return torch.as_tensor(values, dtype=torch.get_default_dtype())
        return torch.as_tensor(values, dtype=like.dtype, device=like.device)

    # -- forward ------------------------------------------------------------
    def forward(self, logits, target):
        """The loss of a batch.

        Parameters
        ----------
        logits : torch.Tensor of shape (n, n_classes)
            Raw, unnormalised class scores.
        target : torch.Tensor of shape (n,)
            Integer class positions in ``0 .. n_classes - 1``.

        Returns
        -------
        loss : torch.Tensor
            A scalar, or shape ``(n,)`` with ``reduction="none"``.
        """
        self._check_input(logits, target)
        loss = self._per_sample_loss(logits, target.long())
        if self.reduction == "mean":
            return loss.mean()
        if self.reduction == "sum":
            return loss.sum()
        return loss

    def _per_sample_loss(self, logits, target):  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_input(self, logits, target):
        name = type(self).__name__
        if logits.ndim != 2:
            raise ValueError(
                f"{name} expects logits of shape (n_samples, n_classes); got "
                f"shape {tuple(logits.shape)}."
            )
        if target.ndim != 1 or target.shape[0] != logits.shape[0]:
            raise ValueError(
                f"{name} expects target of shape ({logits.shape[0]},) to match "
                f"logits of shape {tuple(logits.shape)}; got target of shape "
                f"{tuple(target.shape)}."
            )
        if self.class_counts is None:
            if self._requires_counts:
                raise ValueError(
                    f"{name} needs class counts: pass class_counts= or call "
                    "set_class_counts()."
                )
        elif self.class_counts.shape[0] != logits.shape[1]:
            raise ValueError(
                f"{name}: logits have {logits.shape[1]} classes (second "
                f"dimension) but class_counts has {self.class_counts.shape[0]} "
                "entries."
            )

    @staticmethod
    def _cast(buffer, like):
        """``buffer`` on the device and in the floating dtype of ``like``."""
        return buffer.to(device=like.device, dtype=like.dtype)

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


_fill_doc(ImbalanceLoss)
