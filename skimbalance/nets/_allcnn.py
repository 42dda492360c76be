"""All-CNN-C, the CIFAR-10 network of Buda et al. (2018), Table 3."""

from torch import nn

from ._base import HeadedNetwork, _check_image_shape, _check_positive_int

__all__ = ["AllCNN"]


def _strided_size(size):
    """Spatial size after a 3x3 convolution with stride 2 and padding 1."""
    return (size - 1) // 2 + 1


class AllCNN(HeadedNetwork):
    """All-CNN-C (Springenberg et al., 2015) as in Buda et al. (2018), Table 3.

    ``dropout 0.2`` on the input -> 2x ``conv 3x3, 96`` -> ``conv 3x3 stride 2,
    96`` -> ``dropout 0.5`` -> 2x ``conv 3x3, 192`` -> ``conv 3x3 stride 2,
    192`` -> ``dropout 0.5`` -> ``conv 3x3, 192, padding 0`` -> ``conv 1x1,
    192`` -> ``conv 1x1, n_classes`` -> global average pooling. Every
    convolution is followed by a ReLU (see ``final_relu`` for the last one)
    and the 3x3 convolutions before the last block are padded by 1. The
    forward pass returns raw logits (no softmax).

    Parameters
    ----------
    input_shape : tuple of int
        ``(channels, height, width)`` of one input image. Any positive size
        works; on CIFAR's 32x32 the maps are 32 -> 16 -> 8 -> 6.
    n_classes : int
        Number of output logits.
    final_relu : bool, default=True
        Whether a ReLU follows the last 1x1 convolution, so that the logits
        are averages of non-negative maps. Table 3 of Buda et al. and Table 2
        of Springenberg et al. both have it; ``False`` gives unbounded logits.

    Attributes
    ----------
    head_names : tuple of str
        ``("conv8", "conv9")``: the two last convolutions, with 1x1 kernels,
        which the paper fine-tunes in two-phase training.
    conv7_padding_ : int
        Padding of the last 3x3 convolution, ``conv7``: 0 as in the paper, or
        1 when the feature map entering it is smaller than 3 in height or
        width (inputs under 9 pixels, e.g. 8x8 digits: 8 -> 4 -> 2 -> 2),
        where an unpadded 3x3 convolution would not fit.

    See Also
    --------
    LeNet5 : The MNIST network of the paper.
    ResNet10 : The ImageNet network of the paper.

    Notes
    -----
    Weights are drawn from Glorot's uniform distribution and biases are zero,
    as in the paper. The network is made of ``features`` (an
    ``nn.Sequential`` with everything up to ``conv7`` and its ReLU) followed by
    the head convolutions ``conv8`` and ``conv9``.

    References
    ----------
    .. [1] M. Buda, A. Maki and M. A. Mazurowski, "A systematic study of the
       class imbalance problem in convolutional neural networks", Neural
       Networks 106 (2018), Section 3.3.2.
    .. [2] J. T. Springenberg, A. Dosovitskiy, T. Brox and M. Riedmiller,
       "Striving for simplicity: the all convolutional net", ICLR workshop
       (2015).

    Examples
    --------
    >>> import torch
    >>> from skimbalance.nets import AllCNN
    >>> net = AllCNN(input_shape=(3, 32, 32), n_classes=10)
    >>> net(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    >>> net.head_names
    ('conv8', 'conv9')
    >>> AllCNN(input_shape=(1, 8, 8), n_classes=10).conv7_padding_
    1
    """

    head_names = ("conv8", "conv9")

    def __init__(self, *, input_shape, n_classes, final_relu=True):
        super().__init__()
        channels, height, width = _check_image_shape(input_shape, "AllCNN")
        n_classes = _check_positive_int(n_classes, "n_classes", "AllCNN")
        self.input_shape = (channels, height, width)
        self.n_classes = n_classes
        self.final_relu = bool(final_relu)
        size = _strided_size(_strided_size(min(height, width)))
        self.conv7_padding_ = 0 if size >= 3 else 1

        self.features = nn.Sequential(
            # Not in place: dropping input pixels must not modify the caller's X.
            nn.Dropout(0.2),
            *_conv_relu(channels, 96),
            *_conv_relu(96, 96),
            *_conv_relu(96, 96, stride=2),
            # Not in place: the preceding in-place ReLU needs its output for
            # the backward pass.
            nn.Dropout(0.5),
            *_conv_relu(96, 192),
            *_conv_relu(192, 192),
            *_conv_relu(192, 192, stride=2),
            nn.Dropout(0.5),
            *_conv_relu(192, 192, padding=self.conv7_padding_),
        )
        self.conv8 = nn.Conv2d(192, 192, kernel_size=1)
        self.conv9 = nn.Conv2d(192, n_classes, kernel_size=1)
        self.relu = nn.ReLU(inplace=True)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new Xavier-uniform weights and set all biases to zero.

        Uses torch's global random number generator.
        """
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x):
        x = self.relu(self.conv8(self.features(x)))
        x = self.conv9(x)
        if self.final_relu:
            # Table 3 of the paper and Table 2 of Springenberg et al. both put a
            # ReLU here; we keep it by default for a faithful reproduction.
            x = self.relu(x)
        return x.mean(dim=(2, 3))


def _conv_relu(in_channels, out_channels, *, stride=1, padding=1):
    """A 3x3 convolution followed by an in-place ReLU."""
    return (
        nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=padding),
        nn.ReLU(inplace=True),
    )
