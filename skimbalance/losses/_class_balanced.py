"""Class-balanced loss based on the effective number of samples (Cui et al. 2019)."""

import torch.nn.functional as F

from ._base import ImbalanceLoss, _check_real, _fill_doc, class_balanced_weights


@_fill_doc
class ClassBalancedLoss(ImbalanceLoss):
    r"""Cross-entropy weighted by the inverse effective number of each class.

    The effective number of examples of a class with :math:`n_c` examples is
    :math:`E_c = (1 - \beta^{n_c}) / (1 - \beta)`; each class is weighted by
    its inverse, the weights being normalised to sum to the number of
    classes :math:`C`:

    .. math::

        w_c = C \, \frac{1 / E_c}{\sum_k 1 / E_k}, \qquad
        \ell(z, y) = -w_y \log \mathrm{softmax}(z)_y.

    ``beta=0`` gives equal weights (plain cross-entropy); ``beta -> 1``
    approaches inverse-frequency weighting.
    {call}

    Parameters
    ----------
    beta : float, default=0.9999
        Hyper-parameter of the effective number, in ``[0, 1)``.
    {class_counts}
    {reduction}

    Attributes
    ----------
    class_weights : torch.Tensor of shape (n_classes,) or None
        The normalised per-class weights :math:`w_c`, None until counts are
        set.

    See Also
    --------
    FocalLoss : Focal loss, optionally with per-class weights.
    LDAMLoss : Uses the same weights for deferred re-weighting.

    Notes
    -----
    This is the softmax variant of the paper.

    References
    ----------
    .. [1] Y. Cui, M. Jia, T.-Y. Lin, Y. Song and S. Belongie,
       "Class-Balanced Loss Based on Effective Number of Samples", CVPR 2019.

    Examples
    --------
    >>> import torch
    >>> from skimbalance.losses import ClassBalancedLoss
    >>> criterion = ClassBalancedLoss(beta=0.99, class_counts=[500, 50, 5])
    >>> criterion.class_weights
    tensor([0.1261, 0.3172, 2.5566])
    >>> logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.3, 0.1]])
    >>> round(criterion(logits, torch.tensor([0, 2])).item(), 4)
    1.6877
    """

    def __init__(self, *, beta=0.9999, class_counts=None, reduction="mean"):
        super().__init__(reduction=reduction)
        self.beta = _check_real(
            beta, "beta", "ClassBalancedLoss", low=0.0, high=1.0, closed="left"
        )
        self.register_buffer("class_weights", None)
        if class_counts is not None:
            self.set_class_counts(class_counts)

    def _update_from_counts(self, counts):
        self.class_weights = self._as_buffer(class_balanced_weights(counts, self.beta))

    def _per_sample_loss(self, logits, target):
        loss = F.cross_entropy(logits, target, reduction="none")
        return loss * self._cast(self.class_weights, loss)[target]

    def extra_repr(self):
        return f"beta={self.beta}, {super().extra_repr()}"
