"""One training run described by one object: how many updates, at what rate.

Every training call of a CNN estimator (``fit``, a ``warm_start`` fit,
``partial_fit``, ``fine_tune``) becomes a :class:`TrainingRun`. Its learning
rate has a closed form: update ``k`` of the run (``k = 0 .. n_updates - 1``)
uses ``lr * multiplier(schedule, start + k, length)``, where ``start`` is the
position of the run's first update in the schedule and ``length`` the number
of updates the schedule spans.
"""

from dataclasses import dataclass

#: The learning-rate schedules, by name.
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
class TrainingRun:
    """The updates of one training call and their learning rates.

    Parameters
    ----------
    n_updates : int
        Weight updates this call makes.
    lr : float
        Base learning rate.
    schedule : str
        One of :data:`SCHEDULES`.
    start : int
        Position of this call's first update in the schedule: 0 for a new
        network or ``fine_tune``, the updates made so far when continuing.
    length : int
        Updates the schedule spans (its horizon): the ``max_iter`` budget.

    Examples
    --------
    >>> from skimbalance.cnn._schedule import TrainingRun
    >>> run = TrainingRun(n_updates=10, lr=0.1, schedule="linear", start=10, length=20)
    >>> round(run.lr_at(0), 6), round(run.lr_at(9), 6), run.progress(9)
    (0.05, 0.005, 1.0)
    """

    n_updates: int
    lr: float
    schedule: str
    start: int
    length: int

    def lr_at(self, k):
        """Learning rate of update ``k`` of this run (``k = n_updates``: the next)."""
        return self.lr * lr_multiplier(self.schedule, self.start + k, self.length)

    def progress(self, k):
        """Fraction of the schedule done after update ``k`` of this run, in [0, 1]."""
        return min(1.0, (self.start + k + 1) / self.length)

    @property
    def ended(self):
        """True when the run trains at rate 0 (a "linear" schedule past its end)."""
        return self.lr_at(0) == 0.0
