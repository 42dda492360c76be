"""A multi-layer perceptron for tabular data."""

import math
import numbers

import torch
from torch import nn

from ._base import HeadedNetwork, _check_positive_int

__all__ = ["MLP"]


class MLP(HeadedNetwork):
    """Fully connected network: flatten -> [Linear -> ReLU -> Dropout]* -> Linear.

    For tabular data, or as a fast baseline on images. The forward pass
    flattens every input to ``(batch, prod(input_shape))`` and returns raw
    logits (no softmax).

    Parameters
    ----------
    input_shape : int or tuple of int
        Shape of one input example, of any length (``(n_features,)`` for
        tabular data, ``(C, H, W)`` for images).
    n_classes : int
        Number of output logits.
    hidden_layer_sizes : sequence of int, default=(256,)
        Width of each hidden layer, in order. An empty sequence gives a
        linear (multinomial logistic regression) model.
    dropout : float, default=0.0
        Dropout probability after each hidden ReLU, in ``[0, 1)``. No dropout
        layer is added when it is 0.

    Attributes
    ----------
    head_names : tuple of str
        ``("out",)``: the output layer.

    See Also
    --------
    LeNet5 : A small convolutional network for images.

    Notes
    -----
    The hidden layers are the ``nn.Sequential`` child ``hidden``, the output
    layer is ``out``. Weights are drawn from Glorot's uniform distribution and
    biases are zero.

    Examples
    --------
    >>> import torch
    >>> from skimbalance.nets import MLP
    >>> net = MLP(input_shape=(20,), n_classes=3, hidden_layer_sizes=(32, 16))
    >>> net(torch.zeros(4, 20)).shape
    torch.Size([4, 3])
    >>> MLP(input_shape=(1, 8, 8), n_classes=10)(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """

    head_names = ("out",)

    def __init__(
        self, *, input_shape, n_classes, hidden_layer_sizes=(256,), dropout=0.0
    ):
        super().__init__()
        if isinstance(input_shape, numbers.Integral):
            input_shape = (input_shape,)
        try:
            shape = tuple(
                _check_positive_int(s, "input_shape", "MLP") for s in input_shape
            )
        except (TypeError, ValueError):
            shape = ()
        if not shape:
            raise ValueError(
                "input_shape must be a positive integer or a non-empty tuple of "
                f"positive integers; got {input_shape!r}."
            )
        n_classes = _check_positive_int(n_classes, "n_classes", "MLP")
        try:
            sizes = tuple(
                _check_positive_int(s, "hidden_layer_sizes", "MLP")
                for s in hidden_layer_sizes
            )
        except (TypeError, ValueError):
            raise ValueError(
                "hidden_layer_sizes must be a sequence of positive integers; "
                f"got {hidden_layer_sizes!r}."
            ) from None
        if not isinstance(dropout, numbers.Real) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be a float in [0, 1); got {dropout!r}.")
        self.input_shape = shape
        self.n_classes = n_classes
        self.hidden_layer_sizes = sizes
        self.dropout = float(dropout)

        layers = []
        in_features = math.prod(shape)
        for width in sizes:
            layers += [nn.Linear(in_features, width), nn.ReLU(inplace=True)]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            in_features = width
        self.hidden = nn.Sequential(*layers)
        self.out = nn.Linear(in_features, n_classes)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new Xavier-uniform weights and set all biases to zero.

        Uses torch's global random number generator.
        """
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x):
        return self.out(self.hidden(torch.flatten(x, 1)))
