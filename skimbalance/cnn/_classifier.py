"""``CNNClassifier``: a scikit-learn classifier that builds and trains a skorch net.

``fit``, a ``warm_start`` fit, ``partial_fit`` and ``fine_tune`` are one
method, :meth:`CNNClassifier._train_call`: check everything, describe the call
as a :class:`~skimbalance.cnn._schedule.TrainingRun`, feed the examples
without copying them (:mod:`~skimbalance.cnn._inputs`) and run the loop
(:mod:`~skimbalance.cnn._loop`). A call either completes or leaves the
estimator as it was (:func:`_all_or_nothing`).
"""

import contextlib
import copy
import inspect
import math
import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state, check_scalar
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from skorch import NeuralNet

from ..losses import LOSSES, build_loss
from ..nets import NETWORKS, build_network
from ..nets._adapt import head_parameters
from ..utils._docstrings import fill_docstring
from ..utils._validation import check_same_length, check_single_target
from ._augment import AUGMENTATIONS, build_augment
from ._devices import check_precision, cuda_devices, resolve_device
from ._inputs import (
    IMAGENET_STATS,
    InputTransform,
    channel_stats,
    check_examples,
    make_feed,
)
from ._loop import (
    Diverged,
    LoopOptions,
    TrainingData,
    predict_logits,
    stratified_holdout,
    train,
)
from ._params import parameters_section
from ._schedule import SCHEDULES, TrainingRun
from ._weights import load_into, weights_state

#: ``optimizer=`` names.
OPTIMIZERS = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
}


class CNNClassifier(ClassifierMixin, BaseEstimator):
    """Convolutional (or any PyTorch) network as a scikit-learn classifier.

    ``fit`` builds a PyTorch module and trains it inside a skorch net for a
    fixed number of weight updates (``max_iter``, the paper's protocol) with
    a per-update learning-rate schedule. Imbalance is handled inside
    training without copying data: ``class_weight``, ``sample_weight``,
    imbalance-aware ``loss`` functions and class-aware batches.

    ``X`` may be 2-D ``(n, n_features)``, images ``(n, C, H, W)``,
    ``(n, H, W, C)`` or ``(n, H, W)``, a memory map, or a lazy
    :class:`~skimbalance.datasets.ImageArray` over image files (decoded batch
    by batch in ``num_workers`` processes). Nothing is copied or converted
    as a whole: each batch is gathered from ``X`` (on the GPU when it fits
    there) and turned into float32 on the device. uint8 and uint16 images
    are scaled to [0, 1] per batch, by 255 and 65535 (torchvision's
    ``ToDtype(torch.float32, scale=True)``); float input is used as given.

    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels; ``predict_proba`` columns follow them.
    n_features_in_ : int
        Number of values (pixels) per example seen in ``fit``.
    input_shape_ : tuple of int
        The shape the network takes one example in, e.g. ``(1, 8, 8)``.
    net_ : skorch.NeuralNet
        The trained net: ``net_.module_`` is the PyTorch module,
        ``net_.history`` the per-epoch and per-batch record.
    n_iter_ : int
        Weight updates made since the network was built.
    class_counts_ : ndarray of shape (n_classes,)
        Number of examples per class in the last training data.
    normalize_mean_, normalize_std_ : ndarray of shape (C,) or None
        The per-channel normalisation applied (``None`` without
        ``normalize``).

    See Also
    --------
    LeNet5Classifier, AllCNNClassifier, ResNet10Classifier : The paper's
        networks with the paper's training as defaults.
    skimbalance.datasets.load_image_folder : A folder of images as a lazy array.

    Notes
    -----
    A training call either completes or changes nothing: an exception or an
    interrupt (``KeyboardInterrupt``) leaves the estimator as it was before
    the call (unfitted, or its previous fitted state), and propagates.

    Examples
    --------
    >>> from skimbalance.cnn import CNNClassifier
    >>> from skimbalance.datasets import load_digit_images
    >>> X, y = load_digit_images(return_X_y=True)
    >>> clf = CNNClassifier("lenet5", max_iter=60, random_state=0).fit(X, y)
    >>> clf.input_shape_, clf.predict_proba(X[:2]).shape
    ((1, 8, 8), (2, 10))
    """

    _parameter_constraints: dict = {
        "module": [StrOptions(set(NETWORKS)), callable, torch.nn.Module],
        "input_shape": ["array-like", None],
        "module_params": [dict, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "lr_schedule": [StrOptions(set(SCHEDULES))],
        "schedule_length": [Interval(Integral, 1, None, closed="left"), None],
        "loss": [StrOptions(set(LOSSES)), torch.nn.Module],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "batch_sampling": [StrOptions({"shuffle", "class_aware"})],
        "augment": [StrOptions(set(AUGMENTATIONS)), callable, None],
        "normalize": [StrOptions({"auto", "imagenet"}), tuple, list, None],
        "data_format": [StrOptions({"auto", "channels_first", "channels_last"})],
        "precision": [StrOptions({"32", "bf16", "16"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "warm_start": ["boolean"],
        "device": [str, torch.device],
        "num_workers": [Interval(Integral, 0, None, closed="left")],
        "predict_batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        module="lenet5",
        *,
        input_shape=None,
        module_params=None,
        max_iter=10_000,
        max_epochs=None,
        batch_size=64,
        lr=0.01,
        optimizer="sgd",
        momentum=0.9,
        weight_decay=5e-4,
        lr_schedule="inv",
        schedule_length=None,
        loss="cross_entropy",
        class_weight=None,
        batch_sampling="shuffle",
        augment=None,
        normalize=None,
        data_format="auto",
        precision="32",
        validation_fraction=None,
        warm_start=False,
        device="auto",
        num_workers=0,
        predict_batch_size=1024,
        random_state=None,
        verbose=0,
    ):
        self.module = module
        self.input_shape = input_shape
        self.module_params = module_params
        self.max_iter = max_iter
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.schedule_length = schedule_length
        self.loss = loss
        self.class_weight = class_weight
        self.batch_sampling = batch_sampling
        self.augment = augment
        self.normalize = normalize
        self.data_format = data_format
        self.precision = precision
        self.validation_fraction = validation_fraction
        self.warm_start = warm_start
        self.device = device
        self.num_workers = num_workers
        self.predict_batch_size = predict_batch_size
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------- training
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X, y`` for ``max_iter`` updates.

        Parameters
        ----------
        {X_y}
        {sample_weight}

        Returns
        -------
        self : CNNClassifier
        """
        continuing = self.warm_start and hasattr(self, "net_")
        return self._train_call(X, y, sample_weight, kind="fit", continuing=continuing)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one pass over ``X, y``, continuing the current network.

        Parameters
        ----------
        {X_y}
        classes : array-like of shape (n_classes,) or None
            All classes, required on the first call if ``y`` lacks some; on
            later calls it must be the same (or None).
        {sample_weight}

        Returns
        -------
        self : CNNClassifier
        """
        return self._train_call(
            X, y, sample_weight, kind="epoch", continuing=hasattr(self, "net_"),
            classes=classes,
        )  # fmt: skip

    def fine_tune(self, X, y, sample_weight=None, *, lr_factor=0.1, max_iter=None):
        """Train only the head of the network on new data.

        The head is ``head_names`` of this package's networks, or the last
        classifier layer found under ``fc``, ``classifier``, ``head`` or
        ``heads`` (torchvision, timm). The rest of the network is frozen; the
        learning rate is ``lr * lr_factor`` and the schedule restarts, as in
        the second phase of the paper's two-phase training (§3.2).

        Parameters
        ----------
        {X_y}
        {sample_weight}
        lr_factor : float, default=0.1
            The learning rate of this phase as a fraction of ``lr``.
        max_iter : int or None, default=None
            Updates to make; ``None`` uses ``self.max_iter``.

        Returns
        -------
        self : CNNClassifier
        """
        check_is_fitted(self)
        check_scalar(
            lr_factor, "lr_factor", Real, min_val=0, include_boundaries="neither"
        )
        if max_iter is not None:
            check_scalar(max_iter, "max_iter", Integral, min_val=1)
        module = self.net_.module_
        head = {id(p) for p in head_parameters(module)}
        frozen = [
            p for p in module.parameters() if id(p) not in head and p.requires_grad
        ]
        for p in frozen:
            p.requires_grad_(False)
        try:
            self._train_call(
                X, y, sample_weight, kind="fine_tune", continuing=True,
                lr_factor=lr_factor, n_updates=max_iter or self.max_iter,
            )  # fmt: skip
        finally:
            for p in frozen:
                p.requires_grad_(True)
        return self

    def _train_call(
        self, X, y, sample_weight, *, kind, continuing, classes=None,
        lr_factor=1.0, n_updates=None,
    ):  # fmt: skip
        """Check, then make one :class:`TrainingRun`; all or nothing."""
        with _all_or_nothing(self, net_changes=continuing):
            if continuing:
                device = next(self.net_.module_.parameters()).device
            else:
                device = resolve_device(self.device)
            check_precision(self.precision, device)
            if self.optimizer not in OPTIMIZERS and not (
                isinstance(self.optimizer, type)
                and issubclass(self.optimizer, torch.optim.Optimizer)
            ):
                raise ValueError(
                    "optimizer must be 'sgd', 'adam', 'adamw' or a torch.optim."
                    f"Optimizer subclass; got optimizer={self.optimizer!r}."
                )
            examples = check_examples(
                self, X, reset=not continuing, input_shape=self.input_shape,
                data_format=self.data_format,
            )  # fmt: skip
            target = self._check_targets(
                X, y, sample_weight, continuing=continuing, classes=classes
            )
            rng = check_random_state(self.random_state)
            start = self.n_iter_ if continuing else 0
            seeds = np.random.RandomState(rng.randint(2**31 - 1) + start)
            torch_seed = int(seeds.randint(2**31 - 1))
            train_positions, valid_positions = self._split(target.y, seeds)
            run = self._run(kind, start, len(train_positions), lr_factor, n_updates)
            if run.ended:
                warnings.warn(
                    f"lr_schedule={self.lr_schedule!r} ended at update {run.length} "
                    f"(its length, the max_iter budget); these {run.n_updates} "
                    "updates train at learning rate 0. Fit anew, or use fine_tune.",
                    UserWarning,
                )
            feed = make_feed(examples, device, num_workers=self.num_workers)
            with torch.random.fork_rng(devices=cuda_devices(device)):
                torch.manual_seed(torch_seed)
                if not continuing:
                    self.classes_ = target.classes
                    self.input_shape_ = examples.input_shape
                    self.net_ = self._build_net(
                        device, self.classes_, self.input_shape_
                    )
                    self.normalize_mean_, self.normalize_std_ = self._normalization(
                        examples, feed, train_positions, device
                    )
                counts = np.bincount(
                    target.y[train_positions], minlength=len(self.classes_)
                )
                self.class_counts_ = counts
                net = self.net_
                if hasattr(net.criterion_, "set_class_counts"):
                    net.criterion_.set_class_counts(np.maximum(counts, 1))
                    net.criterion_.to(device)
                _apply_training_params(net.optimizer_, self)
                options = LoopOptions(
                    batch_size=self.batch_size,
                    order=self.batch_sampling,
                    random_state=seeds,
                    transform=self._transform(examples, device),
                    augment=build_augment(self.augment),
                    generator=torch.Generator(device=device).manual_seed(torch_seed),
                    precision=self.precision,
                    predict_batch_size=self.predict_batch_size,
                )
                data = TrainingData.on(device, target, train_positions, valid_positions)
                try:
                    train(net, feed, run, data, options=options, verbose=self.verbose)
                except Diverged as exc:
                    raise FloatingPointError(
                        self._divergence_message(exc, examples, target, run)
                    ) from None
            self.n_iter_ = start + run.n_updates
        return self

    def _check_targets(self, X, y, sample_weight, *, continuing, classes):
        y = check_single_target(y)
        check_same_length(X, y)
        n = len(y)
        name = type(self).__name__
        if continuing:
            known = self.classes_
            if classes is not None and not np.array_equal(
                np.unique(np.asarray(classes)), known
            ):
                raise ValueError(
                    f"classes={np.asarray(classes).tolist()} is not the same as on "
                    f"the first call to partial_fit, was: {known.tolist()}."
                )
        else:
            known = np.unique(y if classes is None else np.asarray(classes))
            if len(known) < 2:
                raise ValueError(
                    f"{name} needs samples of at least 2 classes; got {n} "
                    f"sample{'s' * (n != 1)} of 1 class ({known.tolist()[0]!r})."
                )
        unknown = np.setdiff1d(y, known)
        if unknown.size:
            raise ValueError(
                f"y contains classes not seen in the first fit: {unknown.tolist()}; "
                f"known classes are {known.tolist()}."
            )
        y_pos = np.searchsorted(known, y).astype(np.int64)
        weight = None
        if sample_weight is not None:
            weight = _check_sample_weight(
                sample_weight, np.empty((n, 0)), dtype=np.float32,
                ensure_non_negative=True,
            )  # fmt: skip
        if self.class_weight is not None:
            per_class = _class_weights(self.class_weight, known, y)
            weight = per_class[y_pos] * (1 if weight is None else weight)
        return _Targets(known, y_pos, weight)

    def _split(self, y_pos, random_state):
        """Training and validation positions (a stratified hold-out)."""
        everything = np.arange(len(y_pos))
        if self.validation_fraction is None:
            return everything, everything[:0]
        train_positions, valid_positions = stratified_holdout(
            y_pos, self.validation_fraction, random_state
        )
        if len(valid_positions) == 0:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} holds out no "
                f"example of any class ({len(y_pos)} samples); use a larger "
                "fraction or None."
            )
        return train_positions, valid_positions

    def _run(self, kind, start, n_train, lr_factor, n_updates):
        """The :class:`TrainingRun` of a call: see ``lr_schedule``."""
        per_epoch = math.ceil(n_train / self.batch_size)
        budget = (
            self.max_iter if self.max_epochs is None else self.max_epochs * per_epoch
        )
        if kind == "fit":
            length = self.schedule_length or budget
            return TrainingRun(budget, self.lr, self.lr_schedule, start, length)
        if kind == "epoch":
            length = self.schedule_length or self.max_iter
            return TrainingRun(per_epoch, self.lr, self.lr_schedule, start, length)
        return TrainingRun(
            n_updates, self.lr * lr_factor, self.lr_schedule, 0, n_updates
        )

    def _build_net(self, device, classes, input_shape):
        module = build_network(
            self.module, input_shape=input_shape, n_classes=len(classes),
            **(self.module_params or {}),
        )  # fmt: skip
        if torch.device(device).type == "cuda" and len(input_shape) == 3:
            module = module.to(memory_format=torch.channels_last)
        optimizer = OPTIMIZERS.get(self.optimizer, self.optimizer)
        accepted = inspect.signature(optimizer).parameters
        options = {"weight_decay": self.weight_decay, "momentum": self.momentum}
        net = NeuralNet(
            module=module,
            criterion=build_loss(self.loss),
            optimizer=optimizer,
            lr=self.lr,
            train_split=None,
            callbacks=[],
            device=str(device),
            **{f"optimizer__{k}": v for k, v in options.items() if k in accepted},
        )
        return net.initialize()

    def _normalization(self, examples, feed, positions, device):
        """``(mean, std)`` per channel for ``normalize``, or ``(None, None)``."""
        if self.normalize is None:
            return None, None
        if self.normalize == "auto":
            transform = InputTransform(examples)
            return channel_stats(feed, positions, transform, self.predict_batch_size)
        given = IMAGENET_STATS if self.normalize == "imagenet" else self.normalize
        channels = examples.input_shape[0]
        try:
            mean, std = (
                np.broadcast_to(np.asarray(v, float), (channels,)) for v in given
            )
        except (ValueError, TypeError):
            mean = std = None
        if mean is None or not (np.isfinite(mean).all() and (std > 0).all()):
            raise ValueError(
                "normalize must be 'auto', 'imagenet' or (mean, std) with one finite "
                f"mean and one positive std per channel ({channels} channels); got "
                f"normalize={self.normalize!r}."
            )
        return mean.copy(), std.copy()

    def _transform(self, examples, device):
        device = torch.device(device)
        stats = [
            None
            if v is None
            else torch.as_tensor(v, dtype=torch.float32, device=device)
            for v in (self.normalize_mean_, self.normalize_std_)
        ]
        return InputTransform(
            examples, mean=stats[0], std=stats[1],
            channels_last_memory=device.type == "cuda",
        )  # fmt: skip

    def _divergence_message(self, exc, examples, target, run):
        causes = []
        largest = examples.max_value()
        if examples.dtype.kind == "f" and largest is not None and largest > 10:
            causes.append(
                f"unscaled inputs: the largest value of X is {largest:g} (scale "
                "pixels to [0, 1], or pass the uint8 images, which are scaled "
                "per batch)"
            )
        if target.weight is not None:
            positive = target.weight[target.weight > 0]
            if positive.size and positive.max() / positive.min() > 100:
                causes.append(
                    f"class_weight or sample_weight, ranging from {positive.min():g} "
                    f"to {positive.max():g}"
                )
        lr = run.lr
        causes.append(f"the learning rate (lr={lr:g} now; try lr={lr / 10:g})")
        return (
            f"Training loss became {exc.value} at update {exc.update}; the model "
            f"diverged. Likely causes: {'; '.join(causes)}."
        )

    # ----------------------------------------------------------- weights
    def save_weights(self, path):
        """Save the trained weights, classes and input shape (no pickled objects).

        The file holds only tensors, strings and numbers, so
        :meth:`load_weights` reads it with ``torch.load(weights_only=True)``,
        which never executes code from the file.

        Parameters
        ----------
        path : str or path-like
            The file to write (``torch.save``).
        """
        check_is_fitted(self)
        torch.save(weights_state(self), path)

    def load_weights(self, path, X=None):
        """Build the network from this estimator's parameters and load weights.

        The network is built and loaded apart; the estimator changes only
        when that succeeds, so a failed load leaves it as it was.

        Parameters
        ----------
        path : str or path-like
            A file written by :meth:`save_weights`.
        X : None
            Not used, present for API consistency.

        Returns
        -------
        self : CNNClassifier
            Ready to predict; can also continue with ``warm_start`` or
            :meth:`partial_fit`.

        Raises
        ------
        ValueError
            If the file is not one written by :meth:`save_weights`, its
            weights do not fit this estimator's network, or the
            ``input_shape`` parameter conflicts with the saved one.
        """
        self._validate_params()
        return load_into(self, path)

    # ------------------------------------------------------------- predict
    def predict_proba(self, X):
        """Class probabilities (softmax of the logits), rows summing to 1.

        The network runs in float32 (or ``precision``); the softmax is taken
        in float64, so rows sum to 1 to float64 precision (as scikit-learn's
        metrics expect). ``X`` is read batch by batch, never copied whole.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Examples to classify, as given to :meth:`fit` (any of the layouts
            it accepts, or an ImageArray).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return softmax(self._logits(X).astype(np.float64), axis=1)

    def _logits(self, X):
        check_is_fitted(self)
        examples = check_examples(
            self, X, reset=False, input_shape=self.input_shape,
            data_format=self.data_format,
        )  # fmt: skip
        module = self.net_.module_
        device = next(module.parameters()).device
        return predict_logits(
            module, make_feed(examples, device, num_workers=self.num_workers),
            examples.n, self._transform(examples, device), self.predict_batch_size,
            self.precision, len(self.classes_),
        )  # fmt: skip

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed from the logits in float64.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Examples to classify, as given to :meth:`fit`.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return log_softmax(self._logits(X).astype(np.float64), axis=1)

    def predict(self, X):
        """Most probable class label for each example.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Examples to classify, as given to :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)  # checks fitted before classes_ is read
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags


fill_docstring(CNNClassifier, {"{parameters}": parameters_section(CNNClassifier)})

#: Docstring fragments of the training methods.
_TRAINING_DOCS = {
    "{X_y}": """X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Training examples: flattened, images (channels first or last),
            a memory map or a lazy ImageArray.
        y : array-like of shape (n_samples,)
            Class labels of any type.""",
    "{sample_weight}": """sample_weight : array-like of shape (n_samples,) or None
            Per-example loss weights (the loss is ``mean(w * loss)``).""",
}
for _method in (CNNClassifier.fit, CNNClassifier.partial_fit, CNNClassifier.fine_tune):
    fill_docstring(_method, _TRAINING_DOCS)
del _method


# ------------------------------------------------------------------ helpers
@dataclass(frozen=True)
class _Targets:
    classes: np.ndarray
    y: np.ndarray
    weight: object


@contextlib.contextmanager
def _all_or_nothing(estimator, *, net_changes):
    """Restore the estimator when the block raises or is interrupted: its
    attributes, and when the block trains the current net (``net_changes``)
    that net's weights, optimizer state and history."""
    saved = dict(estimator.__dict__)
    net = saved.get("net_") if net_changes else None
    state = None
    if net is not None:
        state = {
            name: copy.deepcopy(getattr(net, name).state_dict())
            for name in ("module_", "criterion_", "optimizer_")
        }
        state["history"] = len(net.history)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        if state is not None:
            for name in ("module_", "criterion_", "optimizer_"):
                getattr(net, name).load_state_dict(state[name])
            del net.history[state["history"] :]
            net.module_.eval()
        raise


def _apply_training_params(optimizer, estimator):
    """The estimator's current momentum and weight decay on a (reused) optimizer."""
    for group in optimizer.param_groups:
        if "momentum" in group:
            group["momentum"] = estimator.momentum
        group["weight_decay"] = estimator.weight_decay


def _class_weights(class_weight, classes, y):
    """Per-class weights (float32) of ``class_weight``; errors name the class."""
    if isinstance(class_weight, dict):
        known = set(classes.tolist())
        for label, value in class_weight.items():
            if label not in known:
                raise ValueError(
                    f"class_weight has a weight for class {label!r}, which is not "
                    f"one of the classes {classes.tolist()}."
                )
            if not (isinstance(value, Real) and math.isfinite(value) and value >= 0):
                raise ValueError(
                    f"class_weight[{label!r}]={value!r}: class weights must be "
                    "finite numbers >= 0."
                )
        return np.array(
            [class_weight.get(c, 1.0) for c in classes.tolist()], np.float32
        )
    return compute_class_weight(class_weight, classes=classes, y=y).astype(np.float32)
