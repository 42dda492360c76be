"""What every network of this package shares: input checks and a named head."""

from numbers import Integral

from sklearn.utils._param_validation import Interval
from torch import nn

from ..utils._validation import check_parameter, check_shape


class HeadedNetwork(nn.Module):
    """A ``nn.Module`` whose last layers, the head, are named in ``head_names``.

    Two-phase training fine-tunes only the head; ``head_parameters`` yields its
    parameters.
    """

    head_names: tuple = ()

    def forward(self, x):
        """Compute the logits of a batch.

        Parameters
        ----------
        x : torch.Tensor
            Float inputs of shape ``(batch, *input_shape)``, e.g. images
            ``(batch, C, H, W)``.

        Returns
        -------
        logits : torch.Tensor of shape (batch, n_classes)
            Raw, unnormalised class scores.
        """
        raise NotImplementedError

    def head_parameters(self):
        """Yield the parameters of the modules named in :attr:`head_names`."""
        for name in self.head_names:
            yield from getattr(self, name).parameters()


def _check_positive_int(value, name, owner):
    """Return ``value`` as an int, or scikit-learn's error naming it and ``owner``."""
    check_parameter(value, name, [Interval(Integral, 1, None, closed="left")], owner)
    return int(value)


def _check_image_shape(input_shape, network):
    """Return ``input_shape`` as a ``(C, H, W)`` tuple of positive ints, or raise."""
    return check_shape(
        input_shape, "input_shape", length=3,
        expected=f"(channels, height, width) with positive integer sizes for {network}",
    )  # fmt: skip
