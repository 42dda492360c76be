"""Neural network architectures of Buda et al. (2018), as plain torch modules.

Every network is built as ``Net(input_shape=..., n_classes=..., **options)``,
takes a float tensor of shape ``(batch, *input_shape)`` and returns raw logits
of shape ``(batch, n_classes)``. Its ``head_names`` name the child modules
that two-phase training fine-tunes, and ``head_parameters()`` yields their
parameters. Weights are initialised with torch's global random number
generator, as in the paper, by ``reset_parameters()``.

Classes
-------
LeNet5
    The MNIST network (paper Table 2).
AllCNN
    All-CNN-C, the CIFAR-10 network (paper Table 3).
ResNet10
    The ImageNet network (paper Section 3.3.3).
MLP
    A fully connected network for tabular data.

Functions
---------
build_network
    Build a network from a name in ``NETWORKS``, a class or an instance.
"""

from ._allcnn import AllCNN
from ._lenet import LeNet5
from ._mlp import MLP
from ._registry import NETWORKS, build_network
from ._resnet import ResNet10

__all__ = ["NETWORKS", "MLP", "AllCNN", "LeNet5", "ResNet10", "build_network"]
