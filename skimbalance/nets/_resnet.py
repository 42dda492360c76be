"""ResNet-10, the ImageNet network of Buda et al. (2018), Section 3.3.3."""

from torch import nn

from ._base import HeadedNetwork, _check_image_shape, _check_positive_int

__all__ = ["ResNet10"]

_STEMS = ("auto", "cifar", "imagenet")


class _BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch normalisation and an identity shortcut.

    The shortcut is a 1x1 convolution with batch normalisation
    (``downsample``) when the block changes the stride or the width.
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(
            in_channels, out_channels, 3, stride=stride, padding=1, bias=False
        )
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        else:
            self.downsample = None

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class ResNet10(HeadedNetwork):
    """ResNet-10: a residual network with one basic block per stage.

    A stem convolution, four stages of one basic block each (two 3x3
    convolutions with batch normalisation and a shortcut) of widths
    ``base_width`` x 1, 2, 4, 8 (64, 128, 256, 512 by default; every stage
    after the first halves the spatial size), global average pooling and a
    fully connected layer: nine convolutions on the main path and one fully
    connected layer, as in the paper. The forward pass returns raw logits.

    Parameters
    ----------
    input_shape : tuple of int
        ``(channels, height, width)`` of one input image.
    n_classes : int
        Number of output logits.
    base_width : int, default=64
        Number of channels of the stem and the first stage.
    stem : {"auto", "imagenet", "cifar"}, default="auto"
        ``"imagenet"``: 7x7 convolution with stride 2 and padding 3, then 3x3
        max-pooling with stride 2 and padding 1 (a 224x224 input ends at 7x7).
        ``"cifar"``: 3x3 convolution with stride 1 and padding 1 and no
        pooling, so small images are not shrunk by 4 before the first stage.
        ``"auto"`` picks ``"imagenet"`` when height and width are both at
        least 64 and ``"cifar"`` otherwise.

    Attributes
    ----------
    head_names : tuple of str
        ``("fc",)``: the final fully connected layer.
    stem_ : str
        The stem used, ``"imagenet"`` or ``"cifar"``.

    See Also
    --------
    AllCNN : The CIFAR-10 network of the paper.

    Notes
    -----
    Convolutions have no bias (batch normalisation follows each) and get
    Kaiming (MSRA) normal weights, ``N(0, 2 / fan_in)``, the default of
    Caffe's ``"msra"`` filler the paper used; batch normalisation starts at
    weight 1 and bias 0; the fully connected layer gets Xavier-uniform
    weights and a zero bias. In training mode batch normalisation needs more
    than one value per channel, so a batch of one image fails when the last
    stage is 1x1 (inputs under 16 pixels with the CIFAR stem).

    References
    ----------
    .. [1] M. Buda, A. Maki and M. A. Mazurowski, "A systematic study of the
       class imbalance problem in convolutional neural networks", Neural
       Networks 106 (2018), Section 3.3.3.
    .. [2] K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for
       image recognition", CVPR (2016).

    Examples
    --------
    >>> import torch
    >>> from skimbalance.nets import ResNet10
    >>> net = ResNet10(input_shape=(3, 32, 32), n_classes=10, base_width=8)
    >>> net(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    >>> net.stem_, net.head_names
    ('cifar', ('fc',))
    """

    head_names = ("fc",)

    def __init__(self, *, input_shape, n_classes, base_width=64, stem="auto"):
        super().__init__()
        channels, height, width = _check_image_shape(input_shape, "ResNet10")
        n_classes = _check_positive_int(n_classes, "n_classes", "ResNet10")
        base_width = _check_positive_int(base_width, "base_width", "ResNet10")
        if stem not in _STEMS:
            raise ValueError(f"stem must be one of {list(_STEMS)}; got {stem!r}.")
        if stem == "auto":
            stem = "imagenet" if min(height, width) >= 64 else "cifar"
        self.input_shape = (channels, height, width)
        self.n_classes = n_classes
        self.base_width = base_width
        self.stem_ = stem

        if stem == "imagenet":
            self.conv1 = nn.Conv2d(
                channels, base_width, 7, stride=2, padding=3, bias=False
            )
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        else:
            self.conv1 = nn.Conv2d(channels, base_width, 3, padding=1, bias=False)
            self.maxpool = nn.Identity()
        self.bn1 = nn.BatchNorm2d(base_width)
        self.relu = nn.ReLU(inplace=True)
        widths = [base_width * 2**i for i in range(4)]
        self.layer1 = _BasicBlock(widths[0], widths[0])
        self.layer2 = _BasicBlock(widths[0], widths[1], stride=2)
        self.layer3 = _BasicBlock(widths[1], widths[2], stride=2)
        self.layer4 = _BasicBlock(widths[2], widths[3], stride=2)
        self.fc = nn.Linear(widths[3], n_classes)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-initialise all weights, biases and batch-norm statistics.

        Uses torch's global random number generator.
        """
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(
                    module.weight, mode="fan_in", nonlinearity="relu"
                )
            elif isinstance(module, nn.BatchNorm2d):
                module.reset_running_stats()
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        nn.init.xavier_uniform_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(x.mean(dim=(2, 3)))
