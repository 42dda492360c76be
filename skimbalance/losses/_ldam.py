"""Label-distribution-aware margin loss with deferred re-weighting (Cao et al. 2019)."""

import torch
import torch.nn.functional as F

from ._base import ImbalanceLoss, _check_real, _fill_doc, class_balanced_weights


@_fill_doc
class LDAMLoss(ImbalanceLoss):
    r"""LDAM loss: cross-entropy with larger margins for rarer classes.

    Each class gets a margin :math:`m_c \propto n_c^{-1/4}`, scaled so that
    the largest (that of the rarest class) is ``max_margin``. The margin is
    subtracted from the true-class logit and all logits are scaled by ``s``:

    .. math::

        \ell(z, y) = -w_y \log \mathrm{softmax}\big(s\,(z - m_y e_y)\big)_y,

    where :math:`e_y` is the one-hot vector of class :math:`y`.

    **Deferred re-weighting (DRW).** While the training progress reported
    through :meth:`set_progress` is below ``drw_start``, :math:`w_y = 1`;
    from then on :math:`w_y` are the class-balanced weights of
    :class:`ClassBalancedLoss` with ``beta=drw_beta`` (normalised to sum to
    the number of classes). ``drw_start=None`` never re-weights,
    ``drw_start=0`` always does.
    {call}

    Parameters
    ----------
    max_margin : float, default=0.5
        Margin of the rarest class, > 0.
    s : float, default=30.0
        Scale applied to the logits after subtracting the margin, > 0.
    drw_start : float or None, default=0.8
        Training progress, in ``[0, 1]``, from which the class-balanced
        weights apply; None disables deferred re-weighting.
    drw_beta : float, default=0.9999
        ``beta`` of the class-balanced weights used by DRW, in ``[0, 1)``.
    {class_counts}
    {reduction}

    Attributes
    ----------
    margins : torch.Tensor of shape (n_classes,) or None
        Per-class margins :math:`m_c`, None until counts are set.
    drw_weights : torch.Tensor of shape (n_classes,) or None
        Class-balanced weights used once DRW is on.
    progress : float
        Last value given to :meth:`set_progress` (0.0 initially).

    See Also
    --------
    ClassBalancedLoss : The weights used by deferred re-weighting.

    Notes
    -----
    The original implementation is meant for L2-normalised features and
    weights (logits in ``[-1, 1]``), hence the scale ``s``; with an ordinary
    linear head a smaller ``s`` (e.g. 1) may train better.

    References
    ----------
    .. [1] K. Cao, C. Wei, A. Gaidon, N. Arechiga and T. Ma, "Learning
       Imbalanced Datasets with Label-Distribution-Aware Margin Loss",
       NeurIPS 2019.

    Examples
    --------
    >>> import torch
    >>> from skimbalance.losses import LDAMLoss
    >>> criterion = LDAMLoss(max_margin=0.5, s=1.0, class_counts=[625, 16])
    >>> criterion.margins
    tensor([0.2000, 0.5000])
    >>> logits = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> target = torch.tensor([0, 1])
    >>> round(criterion(logits, target).item(), 4)
    0.4226
    >>> round(criterion.set_progress(0.9)(logits, target).item(), 4)
    0.4714
    """

    def __init__(
        self,
        *,
        max_margin=0.5,
        s=30.0,
        drw_start=0.8,
        drw_beta=0.9999,
        class_counts=None,
        reduction="mean",
    ):
        super().__init__(reduction=reduction)
        self.max_margin = _check_real(
            max_margin, "max_margin", "LDAMLoss", low=0.0, closed="right"
        )
        self.s = _check_real(s, "s", "LDAMLoss", low=0.0, closed="right")
        if drw_start is not None:
            drw_start = _check_real(
                drw_start, "drw_start", "LDAMLoss", low=0.0, high=1.0
            )
        self.drw_start = drw_start
        self.drw_beta = _check_real(
            drw_beta, "drw_beta", "LDAMLoss", low=0.0, high=1.0, closed="left"
        )
        self.progress = 0.0
        self.register_buffer("margins", None)
        self.register_buffer("drw_weights", None)
        if class_counts is not None:
            self.set_class_counts(class_counts)

    def _update_from_counts(self, counts):
        margins = counts**-0.25
        self.margins = self._as_buffer(margins * (self.max_margin / margins.max()))
        weights = class_balanced_weights(counts, self.drw_beta)
        self.drw_weights = self._as_buffer(weights)

    def set_progress(self, fraction):
        """Record the training progress, in ``[0, 1]``; switches DRW on/off.

        Parameters
        ----------
        fraction : float
            Updates made over the training budget, in ``[0, 1]``.

        Returns
        -------
        self : LDAMLoss
        """
        super().set_progress(fraction)
        self.progress = float(fraction)
        return self

    @property
    def reweighting(self):
        """Whether deferred re-weighting is currently on."""
        return self.drw_start is not None and self.progress >= self.drw_start

    def _per_sample_loss(self, logits, target):
        margins = self._cast(self.margins, logits)
        shift = torch.zeros_like(logits).scatter_(
            1, target[:, None], margins[target][:, None]
        )
        loss = F.cross_entropy(self.s * (logits - shift), target, reduction="none")
        if self.reweighting:
            loss = loss * self._cast(self.drw_weights, loss)[target]
        return loss

    def extra_repr(self):
        return (
            f"max_margin={self.max_margin}, s={self.s}, "
            f"drw_start={self.drw_start}, drw_beta={self.drw_beta}, "
            f"{super().extra_repr()}"
        )
