"""Tests for the network architectures in skimbalance.nets."""

import copy
import math
import pickle

import pytest
import torch
from torch import nn

from skimbalance.nets import (
    MLP,
    NETWORKS,
    AllCNN,
    LeNet5,
    ResNet10,
    build_network,
)

# Small options keep ResNet10 fast; its layout does not depend on the width.
FAST_OPTIONS = {"resnet10": {"base_width": 8}}
EXPECTED_HEADS = {
    "lenet5": ("fc2",),
    "allcnn": ("conv8", "conv9"),
    "resnet10": ("fc",),
    "mlp": ("out",),
}
IMAGE_SHAPES = [(1, 28, 28), (1, 8, 8), (3, 32, 32)]


def _build(name, input_shape, n_classes=10, seed=0, **options):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build_network(
            name,
            input_shape=input_shape,
            n_classes=n_classes,
            **{**FAST_OPTIONS.get(name, {}), **options},
        )


@pytest.mark.parametrize("name", sorted(NETWORKS))
@pytest.mark.parametrize("input_shape", IMAGE_SHAPES)
def test_output_shape(name, input_shape):
    net = _build(name, input_shape, n_classes=7)
    for mode in (net.train, net.eval):
        mode()
        out = net(torch.rand(3, *input_shape))
        assert out.shape == (3, 7)
        assert out.dtype == torch.float32
        assert torch.isfinite(out).all()


def test_resnet10_imagenet_stem():
    net = _build("resnet10", (3, 64, 64))
    assert net.stem_ == "imagenet"
    assert net.conv1.kernel_size == (7, 7) and net.conv1.stride == (2, 2)
    assert isinstance(net.maxpool, nn.MaxPool2d)
    assert net(torch.rand(2, 3, 64, 64)).shape == (2, 10)
    small = _build("resnet10", (3, 63, 64))
    assert small.stem_ == "cifar" and isinstance(small.maxpool, nn.Identity)
    assert _build("resnet10", (3, 64, 64), stem="cifar").stem_ == "cifar"


def test_resnet10_layout():
    net = ResNet10(input_shape=(3, 32, 32), n_classes=10)
    main_convs = [
        m
        for name, m in net.named_modules()
        if isinstance(m, nn.Conv2d) and "downsample" not in name
    ]
    assert len(main_convs) == 9  # paper: nine convolutional layers and one FC
    widths = [getattr(net, f"layer{i}").conv2.out_channels for i in range(1, 5)]
    assert widths == [64, 128, 256, 512]
    assert net.fc.in_features == 512


def test_lenet5_table2_shapes():
    net = LeNet5(input_shape=(1, 28, 28), n_classes=10)
    shapes = {}
    hooks = [
        getattr(net, name).register_forward_hook(
            lambda m, i, o, name=name: shapes.__setitem__(name, tuple(o.shape[1:]))
        )
        for name in ("conv1", "pool1", "conv2", "pool2", "fc1", "fc2")
    ]
    net(torch.rand(2, 1, 28, 28))
    for hook in hooks:
        hook.remove()
    assert shapes == {
        "conv1": (20, 24, 24),
        "pool1": (20, 12, 12),
        "conv2": (50, 8, 8),
        "pool2": (50, 4, 4),
        "fc1": (500,),
        "fc2": (10,),
    }
    assert net.padding_ == 0 and net.feature_shape_ == (50, 4, 4)


def test_lenet5_parameter_count():
    net = LeNet5(input_shape=(1, 28, 28), n_classes=10)
    expected = 20 * 1 * 25 + 20 + 50 * 20 * 25 + 50 + 800 * 500 + 500 + 500 * 10 + 10
    assert expected == 431080
    assert sum(p.numel() for p in net.parameters()) == expected


@pytest.mark.parametrize(
    "input_shape, padding, feature_shape",
    [
        ((1, 8, 8), 2, (50, 2, 2)),
        ((1, 16, 16), 0, (50, 1, 1)),
        ((1, 15, 15), 2, (50, 4, 4)),
        ((1, 1, 5), 2, (50, 1, 2)),
        ((1, 28, 8), 2, (50, 7, 2)),
        ((3, 32, 32), 0, (50, 5, 5)),
    ],
)
def test_lenet5_auto_padding(input_shape, padding, feature_shape):
    net = LeNet5(input_shape=input_shape, n_classes=3)
    assert net.padding_ == padding
    assert net.feature_shape_ == feature_shape
    assert net.fc1.in_features == math.prod(feature_shape)


def test_lenet5_padding_errors():
    assert LeNet5(input_shape=(1, 28, 28), n_classes=2, padding="same").padding_ == 2
    with pytest.raises(ValueError, match="least 16"):
        LeNet5(input_shape=(1, 8, 8), n_classes=2, padding="valid")
    # "same" padding with Caffe's ceil pooling fits any size, even one row.
    assert LeNet5(input_shape=(1, 1, 3), n_classes=2)(
        torch.zeros(2, 1, 1, 3)
    ).shape == (2, 2)
    with pytest.raises(ValueError, match="padding must be one of"):
        LeNet5(input_shape=(1, 28, 28), n_classes=2, padding=1)


def test_allcnn_layout():
    net = AllCNN(input_shape=(3, 32, 32), n_classes=10)
    assert net.conv7_padding_ == 0
    shapes = []
    hook = net.features.register_forward_hook(
        lambda m, i, o: shapes.append(tuple(o.shape[1:]))
    )
    net(torch.rand(2, 3, 32, 32))
    hook.remove()
    assert shapes == [(192, 6, 6)]
    assert net.conv8.kernel_size == (1, 1) and net.conv9.kernel_size == (1, 1)
    assert net.conv9.out_channels == 10
    assert AllCNN(input_shape=(1, 8, 8), n_classes=2).conv7_padding_ == 1
    assert AllCNN(input_shape=(1, 9, 9), n_classes=2).conv7_padding_ == 0


def test_allcnn_final_relu():
    net = _build("allcnn", (1, 8, 8)).eval()
    x = torch.randn(4, 1, 8, 8)
    assert (net(x) >= 0).all()
    net.final_relu = False
    with torch.no_grad():
        net.conv9.bias.fill_(-100.0)
    assert (net(x) < 0).all()


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_head(name):
    net = _build(name, (1, 8, 8))
    assert net.head_names == EXPECTED_HEADS[name]
    children = dict(net.named_children())
    assert set(net.head_names) <= set(children)
    expected = [p for n in net.head_names for p in children[n].parameters()]
    got = list(net.head_parameters())
    assert len(got) == len(expected) > 0
    assert all(a is b for a, b in zip(got, expected, strict=True))
    head_ids = {id(p) for p in got}
    assert len(head_ids) < len(list(net.parameters()))


@pytest.mark.parametrize("name", ["lenet5", "allcnn", "mlp"])
def test_xavier_init(name):
    net = _build(name, (1, 28, 28))
    layers = [m for m in net.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    assert layers
    for layer in layers:
        fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(layer.weight)
        bound = math.sqrt(6 / (fan_in + fan_out))
        assert layer.weight.abs().max() <= bound
        # Uniform on [-bound, bound]: the largest weight is close to the bound.
        assert layer.weight.abs().max() > 0.9 * bound
        assert (layer.bias == 0).all()


def test_resnet10_init():
    net = _build("resnet10", (3, 32, 32), base_width=16)
    for module in net.modules():
        if isinstance(module, nn.Conv2d):
            assert module.bias is None
            fan_in = module.weight[0].numel()
            std = module.weight.std().item()
            assert abs(std - math.sqrt(2 / fan_in)) < 0.2 * math.sqrt(2 / fan_in)
        elif isinstance(module, nn.BatchNorm2d):
            assert (module.weight == 1).all() and (module.bias == 0).all()
    fan_in, fan_out = net.fc.in_features, net.fc.out_features
    assert net.fc.weight.abs().max() <= math.sqrt(6 / (fan_in + fan_out))
    assert (net.fc.bias == 0).all()


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_determinism(name):
    state = torch.random.get_rng_state()
    a, b = _build(name, (1, 8, 8), seed=0), _build(name, (1, 8, 8), seed=0)
    c = _build(name, (1, 8, 8), seed=1)
    assert torch.equal(torch.random.get_rng_state(), state)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)


def test_reset_parameters_redraws():
    net = _build("lenet5", (1, 8, 8))
    before = net.conv1.weight.clone()
    with torch.no_grad():
        net.fc2.bias.fill_(1.0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        net.reset_parameters()
    assert not torch.equal(before, net.conv1.weight)
    assert (net.fc2.bias == 0).all()


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_pickle_deepcopy_backward(name):
    net = _build(name, (1, 8, 8), n_classes=3)
    x = torch.rand(4, 1, 8, 8)
    net.eval()
    expected = net(x)
    for clone in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert torch.equal(clone(x), expected)
    net.train()
    x.requires_grad_(False)
    x_before = x.clone()
    loss = nn.functional.cross_entropy(net(x), torch.tensor([0, 1, 2, 0]))
    loss.backward()
    assert torch.equal(x, x_before)  # the caller's input is not modified
    assert all(
        p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters()
    )


def test_mlp_options():
    net = MLP(input_shape=(5,), n_classes=2, hidden_layer_sizes=(8, 4), dropout=0.5)
    assert [type(m) for m in net.hidden] == [
        nn.Linear,
        nn.ReLU,
        nn.Dropout,
        nn.Linear,
        nn.ReLU,
        nn.Dropout,
    ]
    assert net(torch.rand(3, 5)).shape == (3, 2)
    linear = MLP(input_shape=4, n_classes=3, hidden_layer_sizes=())
    assert len(linear.hidden) == 0 and linear.out.in_features == 4
    assert MLP(input_shape=(2, 3), n_classes=2).hidden[0].in_features == 6


def test_build_network_unknown_name():
    msg = (
        "Unknown module 'foo'; expected one of ['allcnn', 'lenet5', 'mlp', "
        "'resnet10'], a torch.nn.Module class or factory, or an instance."
    )
    with pytest.raises(ValueError) as excinfo:
        build_network("foo", input_shape=(1, 8, 8), n_classes=2)
    assert str(excinfo.value) == msg
    with pytest.raises(ValueError, match="Unknown module 3"):
        build_network(3, input_shape=(1, 8, 8), n_classes=2)


def test_build_network_class_and_instance():
    net = build_network(LeNet5, input_shape=(1, 8, 8), n_classes=4, padding="same")
    assert isinstance(net, LeNet5) and net.fc2.out_features == 4
    copied = build_network(net, input_shape=(1, 8, 8), n_classes=4)
    assert copied is not net
    assert torch.equal(copied.conv1.weight, net.conv1.weight)
    with pytest.raises(ValueError, match="Options cannot be applied"):
        build_network(net, input_shape=(1, 8, 8), n_classes=4, padding="same")
    assert NETWORKS == {
        "lenet5": LeNet5,
        "allcnn": AllCNN,
        "resnet10": ResNet10,
        "mlp": MLP,
    }


@pytest.mark.parametrize("name", sorted(NETWORKS))
@pytest.mark.parametrize("n_classes", [0, 2.5, "3"])
def test_invalid_n_classes(name, n_classes):
    with pytest.raises(ValueError, match=r"'n_classes' parameter of \w+ must be"):
        build_network(name, input_shape=(1, 8, 8), n_classes=n_classes)


@pytest.mark.parametrize("name", ["lenet5", "allcnn", "resnet10"])
@pytest.mark.parametrize("input_shape", [(8, 8), (1, 0, 8), (1, 8.5, 8), None])
def test_invalid_image_shape(name, input_shape):
    message = r"input_shape must be \(channels, height, width\)"
    with pytest.raises(ValueError, match=message):
        build_network(name, input_shape=input_shape, n_classes=2)
