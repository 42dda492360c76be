"""The learning-rate schedules of the paper, counted in weight updates, as a
skorch callback.

skorch's ``LRScheduler`` steps a torch scheduler per epoch or per batch and
counts from the start of each ``fit``. The paper's schedules are functions of
the update count ``t`` over a budget of ``T`` updates, so
:class:`UpdateSchedule` sets every update's rate from that closed form, with
``t`` counted across warm starts, ``partial_fit`` and a resumed checkpoint
(the updates already in the history).
"""

from dataclasses import dataclass

from skorch.callbacks import Callback

#: The learning-rate schedules, by name (``None``: leave the rate alone).
SCHEDULES = ("inv", "step", "linear", "constant")


def lr_multiplier(schedule, t, length, *, gamma=1e-4, power=0.75):
    """Factor of the base learning rate at update ``t`` of a schedule of ``length``.

    "inv" is Caffe's ``(1 + gamma t)^(-power)`` (LeNet-5; it has no end),
    "step" multiplies by 0.1 at 4/7, 5/7 and 6/7 of ``length`` (All-CNN:
    40k/50k/60k of 70k), "linear" decays to 0 at ``length`` (ResNet-10) and
    stays there, "constant" is 1.

    >>> lr_multiplier("inv", 10_000, 10_000)
    0.5946035575013605
    >>> [lr_multiplier("step", t, 70) for t in (39, 40, 50, 60, 99)]
    [1.0, 0.1, 0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002]
    """
    if schedule == "inv":
        return (1.0 + gamma * t) ** (-power)
    if schedule == "step":
        return 0.1 ** sum(t >= length * k / 7 for k in (4, 5, 6))
    if schedule == "linear":
        return max(0.0, 1.0 - t / length)
    if schedule == "constant":
        return 1.0
    raise ValueError(f"Unknown lr_schedule {schedule!r}; expected one of {SCHEDULES}.")


@dataclass(frozen=True)
class Schedule:
    """The learning rates of one training call.

    Update ``k`` of the call (``k = 0, 1, ...``) trains each parameter group
    at its ``base_lr`` times ``factor * lr_multiplier(name, start + k,
    length)``.

    Parameters
    ----------
    name : str or None
        One of :data:`SCHEDULES`; ``None`` leaves the rates to the optimizer
        (and to other callbacks, e.g. skorch's ``LRScheduler``).
    start : int
        Position of the call's first update in the schedule: the updates
        already made, or 0 where the schedule restarts (``fine_tune``).
    length : int
        Updates the schedule spans (``T``).
    factor : float, default=1.0
        Multiplies every rate (``fine_tune``'s ``lr_factor``).

    Examples
    --------
    >>> from skimbalance.cnn._schedule import Schedule
    >>> schedule = Schedule("linear", start=10, length=20)
    >>> schedule.multiplier(0), round(schedule.multiplier(9), 6)
    (0.5, 0.05)
    """

    name: object
    start: int
    length: int
    factor: float = 1.0

    def multiplier(self, k):
        """Factor of the base rates at update ``k`` of the call."""
        return self.factor * lr_multiplier(self.name, self.start + k, self.length)

    def progress(self, k):
        """Fraction of the schedule done before update ``k`` of the call."""
        return min(1.0, (self.start + k) / self.length)

    def ended(self):
        """True when the call would train at rate 0 (past a "linear" end)."""
        return self.name is not None and self.multiplier(0) == 0.0


class UpdateSchedule(Callback):
    """Set the learning rate before every training update from ``net.schedule_``.

    The net's default callback ``lr_schedule``. Each parameter group trains at
    its ``base_lr`` (the rate it was built with: ``lr``, ``optimizer__lr`` or
    its ``optimizer__param_groups`` entry) times the schedule's multiplier;
    the rate used is recorded as ``event_lr`` in the batch's history, as
    skorch's ``LRScheduler`` does. After the last update the groups are left
    at the rate of the next one, so a warm start continues seamlessly.

    Replace it with skorch's ``LRScheduler`` by passing ``lr_schedule=None``
    to the estimator (this callback then does nothing) and the scheduler in
    ``callbacks``.

    Examples
    --------
    >>> from skimbalance.cnn import LeNet5Classifier
    >>> from skimbalance.datasets import load_digit_images
    >>> X, y = load_digit_images(return_X_y=True)
    >>> clf = LeNet5Classifier(lr_schedule="linear", max_iter=4, random_state=0)
    >>> clf.fit(X[:256], y[:256]).history[-1, "batches", :, "event_lr"]
    [0.01, 0.0075, 0.005, 0.0025]
    """

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.made_ = 0

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        schedule = net.schedule_
        if not training or schedule.name is None:
            return
        rate = self._set_rates(net, schedule.multiplier(self.made_))
        net.history.record_batch("event_lr", rate)
        self.made_ += 1

    def on_train_end(self, net, X=None, y=None, **kwargs):
        schedule = getattr(net, "schedule_", None)
        if schedule is not None and schedule.name is not None:
            self._set_rates(net, schedule.multiplier(self.made_))

    @staticmethod
    def _set_rates(net, multiplier):
        """Every group at ``base_lr * multiplier``; the first group's rate."""
        groups = net.optimizer_.param_groups
        for group in groups:
            group["lr"] = group["base_lr"] * multiplier
        return groups[0]["lr"]
