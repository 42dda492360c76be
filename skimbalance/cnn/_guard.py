"""A training call completes or changes nothing; a callback's stop is not Ctrl-C.

skorch ends training with ``KeyboardInterrupt`` both when the user presses
Ctrl-C and when a callback such as ``EarlyStopping`` decides to stop, and it
swallows both. Here the two are told apart: while a call runs,
:func:`watch_ctrl_c` notes real SIGINTs, and a ``KeyboardInterrupt`` raised by
a callback without one becomes :class:`StopTraining`, which ends the call
normally. Anything else (an exception, Ctrl-C, SIGTERM turned into an
exception) leaves the net as :func:`all_or_nothing` found it.
"""

import contextlib
import copy
import signal
import threading

#: The torch objects of a net whose state a continuing call changes in place.
_STATEFUL = ("module_", "criterion_", "optimizer_")


class StopTraining(Exception):
    """A callback asked to stop (``KeyboardInterrupt`` raised by the callback)."""


class CtrlC:
    """Whether a SIGINT arrived while :func:`watch_ctrl_c` was active."""

    pressed = False


@contextlib.contextmanager
def watch_ctrl_c():
    """Record SIGINTs (then raise ``KeyboardInterrupt`` as Python does).

    Signal handlers can only be set in the main thread; elsewhere (joblib,
    Dask threads) no SIGINT arrives, and the returned record stays False.
    """
    record = CtrlC()
    if threading.current_thread() is not threading.main_thread():
        yield record
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        record.pressed = True
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield record
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def all_or_nothing(net, *, continuing):
    """Put the net back as it was when the block raises or is interrupted.

    Its attributes are restored; when the block trains the current network
    (``continuing``) the module, criterion and optimizer states and the
    history's length are restored too. A fresh fit builds new objects, so
    putting the attributes back is enough.
    """
    saved = dict(net.__dict__)
    states = {}
    if continuing:
        for name in _STATEFUL:
            component = saved.get(name)
            if component is not None and hasattr(component, "state_dict"):
                states[name] = copy.deepcopy(component.state_dict())
    history = getattr(net, "history_", None)
    # a distributed history (synced through a store) cannot be cut back
    epochs = len(history) if isinstance(history, list) else None
    try:
        yield
    except BaseException:
        net.__dict__.clear()
        net.__dict__.update(saved)
        for name, state in states.items():
            saved[name].load_state_dict(state)
        if epochs is not None and len(history) > epochs:
            del history[epochs:]
        raise
