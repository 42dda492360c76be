"""All or nothing: an estimator method that fails leaves the estimator as it was."""

import contextlib


@contextlib.contextmanager
def restore_on_error(estimator):
    """Put back every attribute of ``estimator`` when the block raises.

    Interrupts (``KeyboardInterrupt``) included; the exception propagates.
    Objects the block replaces (a new ``estimator_``) are dropped; objects it
    changes in place must be restored by the caller.

    >>> class Model:
    ...     pass
    >>> model = Model()
    >>> try:
    ...     with restore_on_error(model):
    ...         model.coef_ = 1.0
    ...         raise RuntimeError("failed")
    ... except RuntimeError:
    ...     pass
    >>> hasattr(model, "coef_")
    False
    """
    saved = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        raise
