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
        ``torchvision.models.resnet18``) and the ``module__*`` parameters; or
        an instance, e.g. a pretrained backbone, copied and never trained in
        place. A module whose output size differs from the number of classes
        gets its last layer under ``fc``, ``classifier``, ``head`` or
        ``heads`` replaced; any other mismatch is refused before training.""",
    ),
    "criterion": (
        "str, torch.nn.Module class or instance",
        """Loss on logits: a name in :data:`skimbalance.losses.LOSSES`
        (``"cross_entropy"``, ``"focal"``, ``"class_balanced"``,
        ``"logit_adjusted"``, ``"ldam"``), a criterion class (built with the
        ``criterion__*`` parameters, e.g. ``criterion__gamma=1.0``) or an
        instance (copied). It is used per example (``reduction="none"``) and
        averaged with the sample weights. Losses from
        :mod:`skimbalance.losses` get the class counts of the data being
        fitted; :class:`torch.nn.NLLLoss` gets ``log_softmax`` of the logits.""",
    ),
    "optimizer": (
        '{"sgd", "adam", "adamw"} or torch.optim.Optimizer subclass',
        """``"sgd"`` (the paper's), ``"adam"``, ``"adamw"``, or an optimizer
        class, built with ``lr``, ``momentum`` and ``weight_decay`` (where it
        takes them) and the ``optimizer__*`` parameters, which take
        precedence (``optimizer__param_groups`` as in skorch).""",
    ),
    "lr": (
        "float",
        """Base learning rate (skorch's shorthand for ``optimizer__lr``). On an
        initialised net, ``set_params(lr=...)``, ``momentum`` and
        ``weight_decay`` change the optimizer in place, as in skorch.""",
    ),
    "momentum": ("float", "Momentum of SGD (of any optimizer that takes one)."),
    "weight_decay": ("float", "L2 penalty of the optimizer."),
    "max_iter": (
        "int",
        """Number of weight updates (optimizer steps) a ``fit`` makes: the
        budget. The last epoch is cut short.""",
    ),
    "max_epochs": (
        "int or None",
        """If set, ``fit`` trains for this many passes over the data instead of
        ``max_iter`` updates, and ``partial_fit`` for this many passes
        instead of one.""",
    ),
    "batch_size": (
        "int",
        """Examples per weight update; also per forward pass when predicting
        or validating, unless ``iterator_valid__batch_size`` is set.""",
    ),
    "lr_schedule": (
        '{"inv", "step", "linear", "constant"} or None',
        """Factor of ``lr`` at update ``t`` of a schedule spanning the budget
        ``T`` (``max_iter``, or ``max_epochs`` passes): Caffe's ``inv``
        ``(1 + 1e-4 t)^-0.75``, ``step`` (x0.1 at ``4T/7``, ``5T/7``,
        ``6T/7``), ``linear`` (to 0 at ``T``), ``constant``. Set before every
        update by the ``lr_schedule`` callback (:class:`UpdateSchedule`),
        which counts updates across ``warm_start`` fits, :meth:`partial_fit`
        and a resumed checkpoint; :meth:`fine_tune` restarts it over its own
        budget. ``None`` leaves the rate to the optimizer (e.g. to skorch's
        ``LRScheduler`` in ``callbacks``).""",
    ),
    "schedule_length": (
        "int or None",
        """Updates the schedule spans (``T`` above). ``None``: the budget of each
        fit. Set it to train in several warm-start fits under one schedule, e.g.
        ``schedule_length=10000`` and ten fits of ``max_iter=1000``, evaluating
        between them: the rates are those of one fit of 10000.""",
    ),
    "class_weight": (
        'dict, "balanced" or None',
        "Weights per class (finite, >= 0), multiplied into ``sample_weight``.",
    ),
    "batch_sampling": (
        '{"shuffle", "class_aware"}',
        """Order of the training batches: a new permutation every epoch, or
        ``class_aware`` draws (a class uniformly, then an example of it).""",
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
    "input_shape": (
        "tuple of int or None",
        """Shape of one example as the network takes it, e.g. ``(1, 28, 28)``.
        ``None`` infers it: images ``(n, C, H, W)`` or ``(n, H, W, C)`` give
        ``(C, H, W)``, ``(n, H, W)`` gives ``(1, H, W)``, and 2-D ``X`` with a
        square number of features ``n`` gives ``(1, sqrt(n), sqrt(n))``, any
        other ``(1, 1, n)``. With ``classes``, :meth:`initialize` builds the
        network without data.""",
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
    "train_split": (
        "float, callable or None",
        """Validation during training, recorded as ``valid_loss`` and
        ``valid_acc`` in the history each epoch (what ``EarlyStopping`` and
        ``Checkpoint`` monitor). ``None``: none, every example trains (the
        paper). A float: that fraction of each class held out, stratified,
        every class keeping at least one training example. A callable:
        skorch's ``train_split(dataset, y)``, e.g.
        ``skorch.dataset.ValidSplit(5, stratified=True)`` or
        ``skorch.helper.predefined_split(Dataset(X_valid, y_valid))``.""",
    ),
    "callbacks": (
        'list of skorch callbacks, "disable" or None',
        """skorch callbacks (instances or classes, optionally as ``(name,
        callback)``), after the default ones: ``epoch_timer``,
        ``train_loss``, ``valid_loss``, ``valid_acc``, ``lr_schedule`` and
        ``print_log``. Their parameters are ``callbacks__<name>__<param>``.""",
    ),
    "iterator_train": (
        "torch DataLoader class",
        """The DataLoader of the training batches (``iterator_train__*``
        parameters, e.g. ``num_workers``, ``pin_memory``,
        ``persistent_workers``). It is given the budget's ``batch_sampler``.""",
    ),
    "iterator_valid": (
        "torch DataLoader class",
        """The DataLoader of validation and prediction (``iterator_valid__*``,
        e.g. ``batch_size``, ``num_workers``).""",
    ),
    "classes": (
        "array-like or None",
        """All class labels, when ``y`` may lack some (or to :meth:`initialize`
        without data). ``None``: the labels of ``y``.""",
    ),
    "warm_start": (
        "bool",
        """If True, ``fit`` continues training the current network (and its
        schedule) for ``max_iter`` more updates.""",
    ),
    "device": (
        "str, torch.device or None",
        """``"auto"`` is CUDA when available, else CPU; or any torch device
        (``"cpu"``, ``"cuda"``, ``"cuda:1"``); ``None`` places nothing (for
        skorch's ``AccelerateMixin``, whose accelerator does).""",
    ),
    "compile": (
        "bool",
        """Compile the module with ``torch.compile`` (``compile__*``
        parameters), as skorch does.""",
    ),
    "use_caching": (
        '"auto" or bool',
        "Whether skorch's scoring callbacks reuse the predictions of the epoch.",
    ),
    "torch_load_kwargs": (
        "dict or None",
        """Arguments of ``torch.load`` in :meth:`load_params` and when
        unpickling (default ``weights_only=True``).""",
    ),
    "random_state": (
        "int, RandomState instance or None",
        """Seeds initialisation, batch order, the hold-out and augmentation;
        CPU runs repeat bit for bit.""",
    ),
    "verbose": ("int", "When > 0, print skorch's table, one line per epoch."),
}


def _shown(value):
    if isinstance(value, type):
        return value.__name__
    return f'"{value}"' if isinstance(value, str) else repr(value)


def parameters_section(cls):
    """The numpydoc Parameters section of ``cls`` from its ``__init__`` defaults."""
    signature = inspect.signature(cls.__init__)
    entries = []
    for name, parameter in signature.parameters.items():
        if name == "self" or parameter.kind is parameter.VAR_KEYWORD:
            continue
        kind, text = PARAMETER_DOCS[name]
        default = parameter.default
        head = (
            kind
            if default is inspect.Parameter.empty
            else (f"{kind}, default={_shown(default)}")
        )
        entries.append(f"    {name} : {head}\n        {text}")
    entries.append(
        "    **kwargs\n        skorch's nested parameters: ``module__*``, "
        "``criterion__*``,\n        ``optimizer__*``, ``iterator_train__*``, "
        "``iterator_valid__*``,\n        ``callbacks__*``, ``compile__*``; and "
        "``history`` (e.g. skorch's\n        ``DistributedHistory``)."
    )
    return "Parameters\n    ----------\n" + "\n".join(entries)
