"""The paper's networks with the paper's optimisation as defaults (Buda et al. 2018).

Each class is :class:`CNNClassifier` with ``module`` fixed and other defaults
(§3.3): LeNet-5 for MNIST, All-CNN for CIFAR-10, ResNet-10 for ImageNet. Each
``__init__`` lists every parameter with its default, as scikit-learn reads
them; the Parameters sections are rendered from the shared descriptions in
:mod:`skimbalance.cnn._params` with those defaults.
"""

from ..utils._docstrings import fill_docstring
from ._batches import BatchLoader
from ._classifier import CNNClassifier
from ._params import parameters_section


class _PaperNetClassifier(CNNClassifier):
    """CNNClassifier whose ``module`` is fixed by the class, not a parameter."""

    _parameter_constraints: dict = {
        k: v for k, v in CNNClassifier._parameter_constraints.items() if k != "module"
    }

    def _get_param_names(self):
        return [name for name in super()._get_param_names() if name != "module"]

    def set_params(self, **params):
        """Set parameters, as :meth:`CNNClassifier.set_params`, but ``module``.

        Parameters
        ----------
        **params : dict
            Parameter names mapped to their new values.

        Returns
        -------
        self : estimator instance
        """
        if "module" in params:
            raise ValueError(
                f"Invalid parameter 'module' for estimator {type(self).__name__}: "
                "its network is fixed; use CNNClassifier(module=...) for another."
            )
        return super().set_params(**params)


class LeNet5Classifier(_PaperNetClassifier):
    """LeNet-5 (paper Table 2) trained as in the paper's MNIST experiments.

    SGD, momentum 0.9, base lr 0.01 with Caffe's "inv" schedule (gamma 1e-4,
    power 0.75), batch 64, weight decay 5e-4, 10 000 iterations, Xavier
    initialisation. The parameters are those of :class:`CNNClassifier` but
    ``module``.

    {parameters}

    See Also
    --------
    CNNClassifier : Any network, the same training.
    skimbalance.nets.LeNet5 : The network itself.

    Examples
    --------
    >>> from skimbalance.cnn import LeNet5Classifier
    >>> from skimbalance.datasets import load_digit_images
    >>> X, y = load_digit_images(return_X_y=True)
    >>> clf = LeNet5Classifier(max_iter=300, random_state=0).fit(X[:1000], y[:1000])
    >>> bool(clf.score(X[1000:], y[1000:]) > 0.8)
    True
    """

    def __init__(
        self,
        *,
        criterion="cross_entropy",
        optimizer="sgd",
        lr=0.01,
        momentum=0.9,
        weight_decay=0.0005,
        max_iter=10_000,
        max_epochs=None,
        batch_size=64,
        lr_schedule="inv",
        schedule_length=None,
        class_weight=None,
        batch_sampling="shuffle",
        augment=None,
        normalize=None,
        input_shape=None,
        data_format="auto",
        precision="32",
        train_split=None,
        callbacks=None,
        iterator_train=BatchLoader,
        iterator_valid=BatchLoader,
        classes=None,
        warm_start=False,
        device="auto",
        compile=False,
        use_caching="auto",
        torch_load_kwargs=None,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(
            "lenet5",
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            momentum=momentum,
            weight_decay=weight_decay,
            max_iter=max_iter,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr_schedule=lr_schedule,
            schedule_length=schedule_length,
            class_weight=class_weight,
            batch_sampling=batch_sampling,
            augment=augment,
            normalize=normalize,
            input_shape=input_shape,
            data_format=data_format,
            precision=precision,
            train_split=train_split,
            callbacks=callbacks,
            iterator_train=iterator_train,
            iterator_valid=iterator_valid,
            classes=classes,
            warm_start=warm_start,
            device=device,
            compile=compile,
            use_caching=use_caching,
            torch_load_kwargs=torch_load_kwargs,
            random_state=random_state,
            verbose=verbose,
            **kwargs,
        )


class AllCNNClassifier(_PaperNetClassifier):
    """All-CNN-C (paper Table 3) trained as in the paper's CIFAR-10 experiments.

    SGD, momentum 0.9, lr 0.05 multiplied by 0.1 at 4/7, 5/7 and 6/7 of the
    budget (40k/50k/60k of 70 000 iterations), batch 256, weight decay 1e-3.
    The paper searched lr in 0.05, 0.005, 0.0005 and 0.00005 per dataset. The
    parameters are those of :class:`CNNClassifier` but ``module``.

    {parameters}

    See Also
    --------
    CNNClassifier : Any network, the same training.
    skimbalance.nets.AllCNN : The network itself.

    Examples
    --------
    >>> from skimbalance.cnn import AllCNNClassifier
    >>> AllCNNClassifier().get_params()["lr_schedule"]
    'step'
    """

    def __init__(
        self,
        *,
        criterion="cross_entropy",
        optimizer="sgd",
        lr=0.05,
        momentum=0.9,
        weight_decay=0.001,
        max_iter=70_000,
        max_epochs=None,
        batch_size=256,
        lr_schedule="step",
        schedule_length=None,
        class_weight=None,
        batch_sampling="shuffle",
        augment=None,
        normalize=None,
        input_shape=None,
        data_format="auto",
        precision="32",
        train_split=None,
        callbacks=None,
        iterator_train=BatchLoader,
        iterator_valid=BatchLoader,
        classes=None,
        warm_start=False,
        device="auto",
        compile=False,
        use_caching="auto",
        torch_load_kwargs=None,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(
            "allcnn",
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            momentum=momentum,
            weight_decay=weight_decay,
            max_iter=max_iter,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr_schedule=lr_schedule,
            schedule_length=schedule_length,
            class_weight=class_weight,
            batch_sampling=batch_sampling,
            augment=augment,
            normalize=normalize,
            input_shape=input_shape,
            data_format=data_format,
            precision=precision,
            train_split=train_split,
            callbacks=callbacks,
            iterator_train=iterator_train,
            iterator_valid=iterator_valid,
            classes=classes,
            warm_start=warm_start,
            device=device,
            compile=compile,
            use_caching=use_caching,
            torch_load_kwargs=torch_load_kwargs,
            random_state=random_state,
            verbose=verbose,
            **kwargs,
        )


class ResNet10Classifier(_PaperNetClassifier):
    """ResNet-10 trained as in the paper's ImageNet experiments.

    SGD, momentum 0.9, lr 0.1 decaying linearly to 0 over 320 000
    iterations, batch 256, weight decay 1e-4, Kaiming initialisation. The
    parameters are those of :class:`CNNClassifier` but ``module``.

    {parameters}

    See Also
    --------
    CNNClassifier : Any network, the same training.
    skimbalance.nets.ResNet10 : The network itself.

    Examples
    --------
    >>> from skimbalance.cnn import ResNet10Classifier
    >>> ResNet10Classifier().get_params()["max_iter"]
    320000
    """

    def __init__(
        self,
        *,
        criterion="cross_entropy",
        optimizer="sgd",
        lr=0.1,
        momentum=0.9,
        weight_decay=0.0001,
        max_iter=320_000,
        max_epochs=None,
        batch_size=256,
        lr_schedule="linear",
        schedule_length=None,
        class_weight=None,
        batch_sampling="shuffle",
        augment=None,
        normalize=None,
        input_shape=None,
        data_format="auto",
        precision="32",
        train_split=None,
        callbacks=None,
        iterator_train=BatchLoader,
        iterator_valid=BatchLoader,
        classes=None,
        warm_start=False,
        device="auto",
        compile=False,
        use_caching="auto",
        torch_load_kwargs=None,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(
            "resnet10",
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            momentum=momentum,
            weight_decay=weight_decay,
            max_iter=max_iter,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr_schedule=lr_schedule,
            schedule_length=schedule_length,
            class_weight=class_weight,
            batch_sampling=batch_sampling,
            augment=augment,
            normalize=normalize,
            input_shape=input_shape,
            data_format=data_format,
            precision=precision,
            train_split=train_split,
            callbacks=callbacks,
            iterator_train=iterator_train,
            iterator_valid=iterator_valid,
            classes=classes,
            warm_start=warm_start,
            device=device,
            compile=compile,
            use_caching=use_caching,
            torch_load_kwargs=torch_load_kwargs,
            random_state=random_state,
            verbose=verbose,
            **kwargs,
        )


for _cls in (LeNet5Classifier, AllCNNClassifier, ResNet10Classifier):
    fill_docstring(_cls, {"{parameters}": parameters_section(_cls)})
del _cls
