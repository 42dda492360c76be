"""Softmax multiclass focal loss (Lin et al. 2017)."""

import numbers

import numpy as np
import torch
import torch.nn.functional as F

from ._base import ImbalanceLoss, _check_per_class, _check_real, _fill_doc


@_fill_doc
class FocalLoss(ImbalanceLoss):
    r"""Multiclass focal loss on softmax probabilities.

    Down-weights well-classified examples so that training concentrates on
    the hard ones (and, under imbalance, on the rare classes):

    .. math::

        \ell(z, y) = -\alpha_y \, (1 - p_y)^\gamma \, \log p_y,
        \qquad p = \mathrm{softmax}(z).

    ``gamma=0`` with ``alpha=None`` is exactly the cross-entropy.
    {call}

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter, >= 0.
    alpha : None, float, "balanced" or array-like of shape (n_classes,), default=None
        Per-class weight :math:`\alpha_y`. ``None``: no weighting; a float:
        the same weight for every class; an array-like: one non-negative
        weight per class position; ``"balanced"``: inverse class frequency
        ``n / (n_classes * n_c)`` computed from the class counts (the formula
        of scikit-learn's ``class_weight="balanced"``).
    {class_counts}
        Only needed with ``alpha="balanced"``; when given otherwise, its
        length is still checked against the logits.
    {reduction}

    Attributes
    ----------
    class_weights : torch.Tensor of shape (n_classes,) or None
        The per-class :math:`\alpha`, or None when not weighting per class.

    See Also
    --------
    ClassBalancedLoss : Cross-entropy weighted by inverse effective numbers.

    Notes
    -----
    The loss is computed from ``log_softmax`` for numerical stability;
    :math:`1 - p_y` is evaluated as ``-expm1(log p_y)``, accurate for
    confident predictions.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollar, "Focal Loss
       for Dense Object Detection", ICCV 2017.

    Examples
    --------
    >>> import torch
    >>> from skimbalance.losses import FocalLoss
    >>> criterion = FocalLoss(gamma=2.0, alpha="balanced", class_counts=[90, 10])
    >>> logits = torch.tensor([[2.0, -1.0], [0.5, 0.3], [-1.0, 1.0]])
    >>> target = torch.tensor([0, 1, 1])
    >>> round(criterion(logits, target).item(), 4)
    0.4052
    >>> criterion.class_weights
    tensor([0.5556, 5.0000])
    """

    def __init__(self, *, gamma=2.0, alpha=None, class_counts=None, reduction="mean"):
        super().__init__(reduction=reduction)
        self.gamma = _check_real(gamma, "gamma", "FocalLoss", low=0.0)
        self.alpha = alpha
        self._requires_counts = isinstance(alpha, str)
        if alpha is None:
            self.register_buffer("class_weights", None)
        elif isinstance(alpha, str):
            if alpha != "balanced":
                raise ValueError(
                    "The 'alpha' parameter of FocalLoss must be None, a float "
                    ">= 0, an array-like of per-class weights or 'balanced'; "
                    f"got alpha={alpha!r}."
                )
            self.register_buffer("class_weights", None)
        elif isinstance(alpha, numbers.Number):
            _check_real(alpha, "alpha", "FocalLoss", low=0.0)
            self.register_buffer("class_weights", None)
        else:
            if isinstance(alpha, torch.Tensor):
                alpha = alpha.detach().cpu().numpy()
            weights = _check_per_class(alpha, "alpha", allow_zero=True)
            self.register_buffer(
                "class_weights",
                torch.as_tensor(weights, dtype=torch.get_default_dtype()),
            )
        if class_counts is not None:
            self.set_class_counts(class_counts)

    def _update_from_counts(self, counts):
        if isinstance(self.alpha, str):  # "balanced"
            weights = counts.sum() / (counts.size * counts)
            self.class_weights = self._as_buffer(weights)
        elif self.class_weights is not None and self.class_weights.shape[0] != (
            counts.size
        ):
            raise ValueError(
                f"FocalLoss: alpha has {self.class_weights.shape[0]} entries but "
                f"class_counts has {counts.size}."
            )

    def _check_input(self, logits, target):
        super()._check_input(logits, target)
        weights = self.class_weights
        if weights is not None and weights.shape[0] != logits.shape[1]:
            raise ValueError(
                f"FocalLoss: logits have {logits.shape[1]} classes (second "
                f"dimension) but alpha has {weights.shape[0]} entries."
            )

    def _per_sample_loss(self, logits, target):
        log_p = F.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
        loss = -log_p
        if self.gamma != 0.0:
            # 1 - p_y, clamped away from 0 so that gamma < 1 keeps finite grads.
            one_minus_p = (
                torch.expm1(log_p).neg().clamp_min(torch.finfo(log_p.dtype).tiny)
            )
            loss = loss * one_minus_p.pow(self.gamma)
        if self.class_weights is not None:
            loss = loss * self._cast(self.class_weights, loss)[target]
        elif self.alpha is not None:
            loss = loss * float(self.alpha)
        return loss

    def extra_repr(self):
        alpha = self.alpha
        if not (alpha is None or isinstance(alpha, (str, numbers.Real))):
            alpha = np.round(np.asarray(self.class_weights.cpu()), 4).tolist()
        return f"gamma={self.gamma}, alpha={alpha!r}, {super().extra_repr()}"
