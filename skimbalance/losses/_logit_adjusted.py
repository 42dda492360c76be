"""Logit-adjusted cross-entropy (Menon et al. 2021)."""

import numpy as np
import torch.nn.functional as F

from ._base import ImbalanceLoss, _check_real, _fill_doc


@_fill_doc
class LogitAdjustedLoss(ImbalanceLoss):
    r"""Cross-entropy on logits shifted by the log class priors.

    With training priors :math:`\pi_c = n_c / \sum_k n_k`:

    .. math::

        \ell(z, y) = -\log \mathrm{softmax}(z + \tau \log \pi)_y .

    Adding the prior during training makes the network's own logits
    :math:`z` estimate a balanced (uniform-prior) posterior, so predicting
    with ``argmax z`` targets the balanced error. ``tau=1`` is the balanced
    softmax; ``tau=0`` is exactly the cross-entropy.
    {call}

    Parameters
    ----------
    tau : float, default=1.0
        Scale of the adjustment, >= 0.
    {class_counts}
    {reduction}

    Attributes
    ----------
    log_prior : torch.Tensor of shape (n_classes,) or None
        :math:`\log \pi_c`, None until counts are set.

    See Also
    --------
    skimbalance.PriorThresholdClassifier : The post-hoc counterpart, which
        divides predicted probabilities by the priors after training.

    References
    ----------
    .. [1] A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit and
       S. Kumar, "Long-tail learning via logit adjustment", ICLR 2021.

    Examples
    --------
    >>> import torch
    >>> from skimbalance.losses import LogitAdjustedLoss
    >>> criterion = LogitAdjustedLoss(tau=1.0, class_counts=[80, 20])
    >>> logits = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> round(criterion(logits, torch.tensor([0, 1])).item(), 4)
    0.4964
    """

    def __init__(self, *, tau=1.0, class_counts=None, reduction="mean"):
        super().__init__(reduction=reduction)
        self.tau = _check_real(tau, "tau", "LogitAdjustedLoss", low=0.0)
        self.register_buffer("log_prior", None)
        if class_counts is not None:
            self.set_class_counts(class_counts)

    def _update_from_counts(self, counts):
        self.log_prior = self._as_buffer(np.log(counts / counts.sum()))

    def _per_sample_loss(self, logits, target):
        adjusted = logits + self.tau * self._cast(self.log_prior, logits)
        return F.cross_entropy(adjusted, target, reduction="none")

    def extra_repr(self):
        return f"tau={self.tau}, {super().extra_repr()}"
