"""The public names of the package, found by crawling every ``__all__``."""

import importlib
import pkgutil


def public_objects():
    """``(module name, name, object)`` of every name in a public ``__all__``.

    Public modules are ``skimbalance`` and its subpackages and modules whose
    dotted names have no part starting with an underscore. Sorted by module,
    then name.

    Examples
    --------
    >>> from skimbalance.utils._public import public_objects
    >>> ("skimbalance.cnn", "LeNet5Classifier") in {
    ...     (module, name) for module, name, _ in public_objects()}
    True
    """
    import skimbalance

    modules = [skimbalance] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(skimbalance.__path__, "skimbalance.")
        if not any(part.startswith("_") for part in info.name.split("."))
    ]
    return sorted(
        (module.__name__, name, getattr(module, name))
        for module in modules
        for name in getattr(module, "__all__", [])
    )
