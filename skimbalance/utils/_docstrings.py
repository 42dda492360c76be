"""Shared docstring fragments, written once and substituted where they are used."""


def fill_docstring(obj, fragments):
    """Replace each marker of ``fragments`` in ``obj.__doc__`` by its text.

    ``fragments`` maps a marker (e.g. ``"{reduction}"``) to the text that
    replaces it. Does nothing when docstrings are stripped (``python -OO``).
    Returns ``obj``, so it can end a class decorator.

    Examples
    --------
    >>> from skimbalance.utils._docstrings import fill_docstring
    >>> def f():
    ...     '''Draw samples. {seed}'''
    >>> fill_docstring(f, {"{seed}": "Seeded by ``random_state``."}).__doc__
    'Draw samples. Seeded by ``random_state``.'
    """
    doc = obj.__doc__
    if doc:
        for marker, text in fragments.items():
            doc = doc.replace(marker, text)
        obj.__doc__ = doc
    return obj
