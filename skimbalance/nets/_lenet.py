"""LeNet-5, the MNIST network of Buda et al. (2018), Table 2.

Also holds the small input checks shared by the image networks of this package.
"""

import torch
from torch import nn

from ._base import HeadedNetwork, _check_image_shape, _check_positive_int

__all__ = ["LeNet5"]

_LENET_PADDINGS = {"valid": 0, "same": 2}


def _lenet_sizes(size, padding):
    """Spatial sizes after conv1, pool1, conv2 and pool2 of LeNet-5."""
    conv1 = size + 2 * padding - 4
    pool1 = -(-conv1 // 2)  # ceil, as Caffe pools
    conv2 = pool1 + 2 * padding - 4
    pool2 = -(-conv2 // 2)
    return conv1, pool1, conv2, pool2


class LeNet5(HeadedNetwork):
    """LeNet-5 as used for MNIST by Buda et al. (2018), Table 2.

    ``conv 5x5, 20`` -> ``max-pool 2`` -> ``conv 5x5, 50`` -> ``max-pool 2`` ->
    ``fully connected 500`` -> ``ReLU`` -> ``fully connected n_classes``. As in
    the table (and Caffe's LeNet), there is no non-linearity after the
    convolutions. The forward pass returns raw logits (no softmax).

    Parameters
    ----------
    input_shape : tuple of int
        ``(channels, height, width)`` of one input image.
    n_classes : int
        Number of output logits.
    padding : {"auto", "valid", "same"}, default="auto"
        Zero padding of both convolutions. ``"valid"`` is padding 0, the
        paper's layout (28x28 -> 24 -> 12 -> 8 -> 4). ``"same"`` is padding 2,
        which keeps the size through each convolution (8x8 -> 8 -> 4 -> 4 -> 2)
        and works for any size, down to a 1xW "image" of tabular features.
        ``"auto"`` uses ``"valid"`` when both height and width are at least 16
        (the smallest size whose valid layout ends with a feature map of at
        least 1x1) and ``"same"`` otherwise, e.g. for scikit-learn's 8x8 digits.

    Attributes
    ----------
    head_names : tuple of str
        ``("fc2",)``: the last fully connected layer, the part fine-tuned in
        two-phase training.
    padding_ : int
        The padding used by both convolutions.
    feature_shape_ : tuple of int
        ``(50, h, w)``, the shape of the feature map flattened into ``fc1``.

    See Also
    --------
    AllCNN : The CIFAR-10 network of the paper.
    MLP : A fully connected network for tabular data.

    Notes
    -----
    Max-pooling rounds up (``ceil_mode=True``) as Caffe does; this only
    differs from rounding down for odd feature maps, never for the paper's
    28x28 input. Weights
    are drawn from Glorot's uniform distribution,
    ``U(-a, a)``, ``a = sqrt(6 / (fan_in + fan_out))``, and biases are zero.
    Caffe's ``"xavier"`` filler uses ``a = sqrt(3 / fan_in)`` by default.

    References
    ----------
    .. [1] M. Buda, A. Maki and M. A. Mazurowski, "A systematic study of the
       class imbalance problem in convolutional neural networks", Neural
       Networks 106 (2018), Section 3.3.1.
    .. [2] Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based
       learning applied to document recognition", Proc. IEEE 86 (1998).

    Examples
    --------
    >>> import torch
    >>> from skimbalance.nets import LeNet5
    >>> net = LeNet5(input_shape=(1, 28, 28), n_classes=10)
    >>> net(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> net.feature_shape_
    (50, 4, 4)
    >>> LeNet5(input_shape=(1, 8, 8), n_classes=10).feature_shape_
    (50, 2, 2)
    """

    head_names = ("fc2",)

    def __init__(self, *, input_shape, n_classes, padding="auto"):
        super().__init__()
        channels, height, width = _check_image_shape(input_shape, "LeNet5")
        n_classes = _check_positive_int(n_classes, "n_classes", "LeNet5")
        if padding == "auto":
            padding = "valid" if min(height, width) >= 16 else "same"
        if padding not in _LENET_PADDINGS:
            raise ValueError(
                f"padding must be one of ['auto', 'same', 'valid']; got {padding!r}."
            )
        pad = _LENET_PADDINGS[padding]
        sizes_h = _lenet_sizes(height, pad)
        sizes_w = _lenet_sizes(width, pad)
        if min(sizes_h + sizes_w) < 1:
            raise ValueError(
                f"LeNet5 with padding={padding!r} needs height and width of at "
                f"least 16; got input_shape={input_shape!r}."
            )
        self.input_shape = (channels, height, width)
        self.n_classes = n_classes
        self.padding_ = pad
        self.feature_shape_ = (50, sizes_h[-1], sizes_w[-1])

        self.conv1 = nn.Conv2d(channels, 20, kernel_size=5, padding=pad)
        self.pool1 = nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True)
        self.conv2 = nn.Conv2d(20, 50, kernel_size=5, padding=pad)
        self.pool2 = nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True)
        self.fc1 = nn.Linear(50 * sizes_h[-1] * sizes_w[-1], 500)
        self.relu = nn.ReLU(inplace=True)
        self.fc2 = nn.Linear(500, n_classes)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new Xavier-uniform weights and set all biases to zero.

        Uses torch's global random number generator.
        """
        for module in (self.conv1, self.conv2, self.fc1, self.fc2):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)

    def forward(self, x):
        x = self.pool1(self.conv1(x))
        x = self.pool2(self.conv2(x))
        x = self.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)
