"""How two methods are compared: paired differences, an interval, many tests.

Every verdict of the study ("better", "worse", "cannot tell") comes from here.
Two methods are compared on the same units (a fold of one repeat of
cross-validation, or one repeat of the paper's protocol): the differences of
their scores, unit by unit, are summarised by their mean and a confidence
interval from the *corrected resampled t* of Nadeau & Bengio (2003): the
variance of the mean difference is ``(1/J + n_test/n_train) * s**2`` rather
than ``s**2 / J``, because the training sets of the units overlap (folds of
one dataset, draws from one pool) and their scores are correlated; a plain
paired t would call noise a difference. When one verdict rests on many
comparisons (every method against the baseline, every configuration of a
conclusion), the p-values are adjusted by Holm's step-down method, so that the
chance of any false "better" or "worse" in the family stays below ``alpha``.
A difference smaller than the minimal effect (``min_effect``, half a point by
default) is never called better or worse, however consistent.

References
----------
C. Nadeau and Y. Bengio, "Inference for the generalization error", Machine
Learning 52 (2003). R. Bouckaert and E. Frank, "Evaluating the replicability of
significance tests for comparing learning algorithms", PAKDD 2004. S. Holm, "A
simple sequentially rejective multiple test procedure", Scand. J. Statist. 6
(1979).
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Significance level of every family of comparisons.
ALPHA = 0.05
#: The smallest difference that counts, in score units (0.005 = half a point).
MIN_EFFECT = 0.005
#: The three verdicts of a comparison, and the one when it cannot be made.
VERDICTS = ("better", "worse", "cannot tell")
TOO_FEW = "not enough repeats to tell"


@dataclass(frozen=True)
class Comparison:
    """``a`` against ``b`` on paired units: ``difference`` is ``a - b``.

    Parameters
    ----------
    difference : float
        Mean of the unit-by-unit differences.
    low, high : float
        The confidence interval of the mean difference (NaN with one unit).
    p : float
        Two-sided p-value of "no difference" (Holm-adjusted once
        :func:`decide` has seen the family; NaN with one unit).
    units : int
        Paired units (folds x repeats, or repeats).
    verdict : str
        ``"better"`` (a beats b), ``"worse"``, ``"cannot tell"`` or
        ``"not enough repeats to tell"``.

    Examples
    --------
    >>> from skimbalance.study import Comparison
    >>> c = Comparison(0.0123, 0.004, 0.0206, 0.0117, 6, "better")
    >>> c.interval()
    '+1.23 [+0.40, +2.06]'
    """

    difference: float
    low: float
    high: float
    p: float
    units: int
    verdict: str = "cannot tell"

    def interval(self, scale=100):
        """The mean difference and its interval, in points.

        Parameters
        ----------
        scale : float, default=100
            Factor from scores to points.

        Returns
        -------
        str
            Such as ``"+1.23 [+0.40, +2.06]"`` (no interval with one unit).
        """
        text = _signed(scale * self.difference)
        if math.isnan(self.low):
            return text
        return f"{text} [{_signed(scale * self.low)}, {_signed(scale * self.high)}]"

    def summary(self, scale=100, words=None):
        """The interval, the (Holm-adjusted, once decided) p-value and the
        verdict.

        Parameters
        ----------
        scale : float, default=100
            Factor from scores to points.
        words : dict or None, default=None
            What to say instead of ``"better"`` or ``"worse"``, where the
            difference is not a score (``{"worse": "ROS's widens less"}``).

        Returns
        -------
        str
            Such as ``"+1.23 [+0.40, +2.06] points, p 0.012: better"``.

        Examples
        --------
        >>> Comparison(0.0123, 0.004, 0.0206, 0.0117, 6, "better").summary()
        '+1.23 [+0.40, +2.06] points, p 0.012: better'
        >>> gap = Comparison(-0.05, -0.06, -0.04, 0.001, 3, "worse")
        >>> gap.summary(words={"worse": "ROS's widens less"})
        "-5.00 [-6.00, -4.00] points, p 0.001: ROS's widens less"
        """
        p = "" if math.isnan(self.p) else f", p {self.p:.3f}"
        verdict = (words or {}).get(self.verdict, self.verdict)
        return f"{self.interval(scale)} points{p}: {verdict}"


def _signed(value):
    return f"{round(value, 2) + 0.0:+.2f}"


def paired(a, b, *, test_fraction, alpha=ALPHA):
    """Compare paired scores ``a`` and ``b`` (one per unit), not yet decided.

    Parameters
    ----------
    a, b : array-like of shape (n_units,)
        Scores of two methods on the same units; NaN pairs are left out.
    test_fraction : float
        ``n_test / n_train`` of a unit (the Nadeau-Bengio correction); 0 gives
        the plain paired t.
    alpha : float, default=0.05
        One minus the confidence of the interval.

    Returns
    -------
    comparison : Comparison
        Verdict :data:`TOO_FEW` with fewer than two units.

    Examples
    --------
    >>> from skimbalance.study import paired
    >>> c = paired([0.91, 0.92, 0.90], [0.90, 0.91, 0.89], test_fraction=0.5)
    >>> round(c.difference, 3), c.units, c.p < 1e-6
    (0.01, 3, True)
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    d = a[keep] - b[keep]
    n = len(d)
    if n == 0:
        return Comparison(math.nan, math.nan, math.nan, math.nan, 0, TOO_FEW)
    mean = float(d.mean())
    if n < 2:
        return Comparison(mean, math.nan, math.nan, math.nan, n, TOO_FEW)
    variance = float(d.var(ddof=1)) * (1.0 / n + test_fraction)
    quantile = stats.t.ppf(1 - alpha / 2, n - 1)
    if variance <= 0:  # identical differences: no noise at all
        return Comparison(mean, mean, mean, 0.0 if mean else 1.0, n)
    se = math.sqrt(variance)
    p = float(2 * stats.t.sf(abs(mean) / se, n - 1))
    half = float(quantile * se)
    return Comparison(mean, mean - half, mean + half, p, n)


def holm(p_values):
    """Holm's step-down adjustment of a family of p-values (NaN left as is).

    The smallest p-value is multiplied by the family's size ``m``, the next by
    ``m - 1``, and so on, each kept at least as large as the one before:
    rejecting those below ``alpha`` keeps the chance of any false rejection in
    the family below ``alpha``.

    Parameters
    ----------
    p_values : sequence of float
        The raw p-values of one family.

    Returns
    -------
    adjusted : list of float
        The adjusted p-values, in the same order.

    Examples
    --------
    >>> from skimbalance.study import holm
    >>> [round(p, 3) for p in holm([0.01, 0.04, 0.03])]
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    valid = np.flatnonzero(~np.isnan(p))
    adjusted = p.copy()
    order = valid[np.argsort(p[valid], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * p[i]))
        adjusted[i] = running
    return adjusted.tolist()


def decide(comparisons, *, alpha=ALPHA, min_effect=MIN_EFFECT):
    """The verdicts of a family of comparisons, their p-values Holm-adjusted.

    A comparison is ``"better"`` when its adjusted p-value is below ``alpha``
    and its mean difference exceeds ``min_effect``; ``"worse"`` likewise below
    ``-min_effect``; else ``"cannot tell"`` (:data:`TOO_FEW` stays).

    Parameters
    ----------
    comparisons : sequence of Comparison
        One family (e.g. every method against the baseline on one dataset).
    alpha : float, default=0.05
        Family-wise error rate.
    min_effect : float, default=0.005
        The smallest difference that counts, in score units.

    Returns
    -------
    decided : list of Comparison
        The same, with adjusted ``p`` and a ``verdict``.

    Examples
    --------
    >>> from skimbalance.study import decide, paired
    >>> consistent = paired([0.93, 0.94, 0.95], [0.91, 0.92, 0.93],
    ...                     test_fraction=0.5)
    >>> noisy = paired([0.99, 0.80, 0.97], [0.85, 0.95, 0.84], test_fraction=0.5)
    >>> [c.verdict for c in decide([consistent, noisy])]
    ['better', 'cannot tell']
    """
    comparisons = list(comparisons)
    adjusted = holm([c.p for c in comparisons])
    decided = []
    for c, p in zip(comparisons, adjusted):
        verdict = c.verdict
        if verdict != TOO_FEW:
            verdict = "cannot tell"
            if p < alpha and c.difference > min_effect:
                verdict = "better"
            elif p < alpha and c.difference < -min_effect:
                verdict = "worse"
        decided.append(Comparison(c.difference, c.low, c.high, p, c.units, verdict))
    return decided


def unpaired(a, b, *, alpha=ALPHA):
    """Compare two independent samples of scores (Welch's t), not yet decided.

    For scores that no unit pairs: e.g. the baseline at two imbalance ratios,
    each drawn on its own.

    Parameters
    ----------
    a, b : array-like
        The scores of each side; NaN left out.
    alpha : float, default=0.05
        One minus the confidence of the interval.

    Returns
    -------
    comparison : Comparison
        ``units`` is the smaller sample size; :data:`TOO_FEW` below two.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    n = min(len(a), len(b))
    if n == 0:
        return Comparison(math.nan, math.nan, math.nan, math.nan, 0, TOO_FEW)
    mean = float(a.mean() - b.mean())
    if n < 2:
        return Comparison(mean, math.nan, math.nan, math.nan, n, TOO_FEW)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = float(math.sqrt(va + vb))
    if se == 0:
        return Comparison(mean, mean, mean, 0.0 if mean else 1.0, n)
    df = (va + vb) ** 2 / (
        va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)
    )  # Welch-Satterthwaite
    half = float(stats.t.ppf(1 - alpha / 2, df) * se)
    p = float(2 * stats.t.sf(abs(mean) / se, df))
    return Comparison(mean, mean - half, mean + half, p, n)
