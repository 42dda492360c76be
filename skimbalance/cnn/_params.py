"""The documentation of the CNN estimators' parameters, written once.

:class:`~skimbalance.cnn.CNNClassifier` and the paper's classifiers share
their parameters but not their defaults. Each entry below is a parameter's
type and description; :func:`parameters_section` renders the numpydoc
Parameters section of a class with the defaults of its own ``__init__``.
"""

import inspect

#: name -> (type, description); the order of the rendered section.
PARAMETER_DOCS = {
    "module": (
        "str, callable or torch.nn.Module",
        """The network: a name in :data:`skimbalance.nets.NETWORKS` (``"lenet5"``,
        ``"allcnn"``, ``"resnet10"``, ``"mlp"``); a module class or factory,
        called with ``input_shape=`` and ``n_classes=`` (this package's
        style) or ``num_classes=`` (torchvision and timm, e.g.
        ``torchvision.models.resnet18``) and ``module_params``; or an
        instance, e.g. a pretrained backbone, copied and never trained in
        place. A module whose output size differs from the number of classes
        gets its last layer under ``fc``, ``classifier``, ``head`` or
        ``heads`` replaced; any other mismatch is refused before training.""",
    ),
    "input_shape": (
        "tuple of int or None",
        """Shape of one example as the network takes it, e.g. ``(1, 28, 28)``.
        ``None`` infers it: images ``(n, C, H, W)`` or ``(n, H, W, C)`` give
        ``(C, H, W)``, ``(n, H, W)`` gives ``(1, H, W)``, and 2-D ``X`` with a
        square number of features ``n`` gives ``(1, sqrt(n), sqrt(n))``, any
        other ``(1, 1, n)``.""",
    ),
    "module_params": (
        "dict or None",
        """Keyword arguments of the network's constructor (e.g.
        ``hidden_layer_sizes``, or ``weights="DEFAULT"`` for a pretrained
        torchvision model).""",
    ),
    "max_iter": ("int", "Number of weight updates (optimizer steps): the budget."),
    "max_epochs": (
        "int or None",
        "If set, train for this many passes over the data instead of ``max_iter``.",
    ),
    "batch_size": ("int", "Number of examples per weight update."),
    "lr": ("float", "Base learning rate."),
    "optimizer": (
        '{"sgd", "adam", "adamw"} or torch.optim.Optimizer subclass',
        """``"sgd"`` (with ``momentum``, the paper's), ``"adam"``, ``"adamw"``,
        or an optimizer class, built with ``lr`` and ``weight_decay`` (and
        ``momentum`` when it takes one).""",
    ),
    "momentum": ("float", "Momentum of SGD (of any optimizer that takes one)."),
    "weight_decay": ("float", "L2 penalty of the optimizer."),
    "lr_schedule": (
        '{"inv", "step", "linear", "constant"}',
        """Factor of ``lr`` at update ``t`` of a schedule spanning the budget
        ``T`` (``max_iter``, or ``max_epochs`` passes): Caffe's ``inv``
        ``(1 + 1e-4 t)^-0.75``, ``step`` (x0.1 at ``4T/7``, ``5T/7``,
        ``6T/7``), ``linear`` (to 0 at ``T``), ``constant``. ``warm_start``
        fits and :meth:`partial_fit` continue the schedule at ``t = n_iter_``;
        :meth:`fine_tune` restarts it over its own budget.""",
    ),
    "schedule_length": (
        "int or None",
        """Updates the schedule spans (``T`` above). ``None``: the budget of each
        fit. Set it to train in several warm-start fits under one schedule, e.g.
        ``schedule_length=10000`` and ten fits of ``max_iter=1000``, evaluating
        between them: the rates are those of one fit of 10000.""",
    ),
    "loss": (
        "str or torch.nn.Module",
        """Criterion on logits: a name in :data:`skimbalance.losses.LOSSES`
        (``"cross_entropy"``, ``"focal"``, ``"class_balanced"``,
        ``"logit_adjusted"``, ``"ldam"``) or a criterion module. Losses from
        :mod:`skimbalance.losses` get the class counts of the data being
        fitted; :class:`torch.nn.NLLLoss` gets ``log_softmax`` of the logits.""",
    ),
    "class_weight": (
        'dict, "balanced" or None',
        "Weights per class (finite, >= 0), multiplied into ``sample_weight``.",
    ),
    "batch_sampling": (
        '{"shuffle", "class_aware"}',
        "``class_aware`` draws a class uniformly, then an example of it.",
    ),
    "augment": (
        '{"pad_crop_flip"}, callable or None',
        """Random augmentation of training batches (never of prediction):
        ``"pad_crop_flip"`` is CIFAR's pad 4, random crop, horizontal flip,
        vectorised on the device (:class:`PadCropFlip`; an instance sets
        other sizes). Any other callable (e.g. a ``torchvision.transforms.v2``
        pipeline) is applied to each image, a ``(C, H, W)`` tensor in the
        input's own dtype (uint8 for 8-bit images), before scaling.""",
    ),
    "normalize": (
        '"auto", "imagenet", (mean, std) or None',
        """Per-channel normalisation of the scaled input, ``(x - mean) / std``:
        ``"auto"`` computes mean and std over the training data at the first
        fit (a pass over it), ``"imagenet"`` uses ImageNet's (what torchvision's
        pretrained weights expect), or give the two per-channel sequences.""",
    ),
    "data_format": (
        '{"auto", "channels_first", "channels_last"}',
        """How 4-D images are stored: ``(n, C, H, W)`` or ``(n, H, W, C)``
        (what stacking PIL images gives). ``"auto"`` reads channels-last when
        only the last size is 1, 3 or 4; when the second is too, the reading
        with square images wins, and without one it refuses to guess.
        Channels-last data is transposed per batch, never copied whole.""",
    ),
    "precision": (
        '{"32", "bf16", "16"}',
        """Arithmetic of the forward pass: float32, or mixed precision by
        ``torch.autocast`` with bfloat16 (CUDA or CPU) or float16 (CUDA, with
        gradient scaling). The loss is computed in float32.""",
    ),
    "validation_fraction": (
        "float or None",
        """Fraction of each class held out to record ``valid_loss`` per epoch
        in ``net_.history`` (every class keeps at least one training example).""",
    ),
    "warm_start": ("bool", "If True, ``fit`` continues training the current network."),
    "device": (
        "str or torch.device",
        """``"auto"`` is CUDA when available, else CPU; or any torch device
        (``"cpu"``, ``"cuda"``, ``"cuda:1"``).""",
    ),
    "num_workers": (
        "int",
        """DataLoader worker processes that decode images read from files
        (an :class:`~skimbalance.datasets.ImageArray` over files); 0 decodes
        in the training process. Arrays in memory need none.""",
    ),
    "predict_batch_size": (
        "int",
        "Number of examples per forward pass when predicting (memory, not results).",
    ),
    "random_state": (
        "int, RandomState instance or None",
        """Seeds initialisation, batch order and augmentation; CPU runs repeat
        bit for bit.""",
    ),
    "verbose": ("int", "When > 0, print one line per epoch (losses, lr, seconds)."),
}


def _shown(value):
    return f'"{value}"' if isinstance(value, str) else repr(value)


def parameters_section(cls):
    """The numpydoc Parameters section of ``cls`` from its ``__init__`` defaults."""
    signature = inspect.signature(cls.__init__)
    entries = []
    for name, parameter in signature.parameters.items():
        if name == "self":
            continue
        kind, text = PARAMETER_DOCS[name]
        default = parameter.default
        head = (
            kind
            if default is inspect.Parameter.empty
            else (f"{kind}, default={_shown(default)}")
        )
        entries.append(f"    {name} : {head}\n        {text}")
    return "Parameters\n    ----------\n" + "\n".join(entries)
