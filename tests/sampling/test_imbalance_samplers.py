"""Counts, provenance and errors of the four imbalance samplers."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from skimbalance.datasets import make_linear_imbalance, make_step_imbalance
from skimbalance.sampling import (
    LinearImbalanceSampler,
    RatioOverSampler,
    RatioUnderSampler,
    StepImbalanceSampler,
)
from skimbalance.sampling.base import round_half_up

SAMPLERS = [
    StepImbalanceSampler,
    LinearImbalanceSampler,
    RatioOverSampler,
    RatioUnderSampler,
]


def _data(counts, n_features=3, seed=0):
    """Rows whose first feature is their own index, labels in blocks."""
    y = np.repeat(np.arange(len(counts)), counts)
    rng = np.random.RandomState(seed)
    X = rng.rand(len(y), n_features)
    X[:, 0] = np.arange(len(y))
    return X, y


count_vectors = st.lists(st.integers(1, 60), min_size=2, max_size=8)


@settings(max_examples=60, deadline=None)
@given(counts=count_vectors, ratio=st.floats(1, 50), seed=st.integers(0, 2**31 - 1))
def test_ratio_samplers_counts_match_formula(counts, ratio, seed):
    X, y = _data(counts)
    n_max, n_min = max(counts), min(counts)
    over = RatioOverSampler(imbalance_ratio=ratio, random_state=seed)
    _, y_over = over.fit_resample(X, y)
    expected = [max(c, int(np.ceil(n_max / ratio))) for c in counts]
    assert np.bincount(y_over).tolist() == expected
    under = RatioUnderSampler(imbalance_ratio=ratio, random_state=seed)
    _, y_under = under.fit_resample(X, y)
    expected = [min(c, int(np.floor(n_min * ratio))) for c in counts]
    assert np.bincount(y_under).tolist() == expected
    for y_res in [y_over, y_under]:
        assert max(np.bincount(y_res)) / min(np.bincount(y_res)) <= ratio + 1e-9


@settings(max_examples=60, deadline=None)
@given(
    counts=count_vectors,
    rho=st.floats(1, 100),
    mu=st.floats(0.01, 1),
    seed=st.integers(0, 2**31 - 1),
)
def test_step_counts_match_formula(counts, rho, mu, seed):
    X, y = _data(counts)
    n_classes = len(counts)
    n_minority_classes = int(np.floor(mu * n_classes + 0.5))
    sampler = StepImbalanceSampler(rho=rho, mu=mu, random_state=seed)
    if n_minority_classes == 0:
        with pytest.raises(ValueError, match="gives no minority class"):
            sampler.fit_resample(X, y)
        return
    _, y_res = sampler.fit_resample(X, y)
    n_majority = min(counts)
    n_minority = max(1, int(np.floor(n_majority / rho + 0.5)))
    minority = sampler.minority_classes_
    assert len(minority) == n_minority_classes
    expected = [n_minority if c in minority else n_majority for c in range(n_classes)]
    assert np.bincount(y_res, minlength=n_classes).tolist() == expected
    assert sampler.class_counts_ == dict(enumerate(expected))


@settings(max_examples=60, deadline=None)
@given(counts=count_vectors, rho=st.floats(1, 100), seed=st.integers(0, 2**31 - 1))
def test_linear_counts_match_formula(counts, rho, seed):
    X, y = _data(counts)
    sampler = LinearImbalanceSampler(rho=rho, random_state=seed)
    _, y_res = sampler.fit_resample(X, y)
    n_max, n_classes = min(counts), len(counts)
    sizes = np.linspace(n_max / rho, n_max, n_classes)
    expected = {
        c: max(1, int(np.floor(s + 0.5))) for c, s in zip(sampler.class_order_, sizes)
    }
    got = np.bincount(y_res, minlength=n_classes)
    assert {c: got[c] for c in range(n_classes)} == expected
    assert sorted(sampler.class_order_.tolist()) == list(range(n_classes))


@settings(max_examples=40, deadline=None)
@given(counts=count_vectors, seed=st.integers(0, 2**31 - 1), which=st.integers(0, 3))
def test_rows_come_from_sample_indices_and_inputs_unchanged(counts, seed, which):
    X, y = _data(counts)
    X_before, y_before = X.copy(), y.copy()
    params = {"random_state": seed}
    sampler = SAMPLERS[which](**params)
    if isinstance(sampler, StepImbalanceSampler):
        sampler.set_params(mu=1.0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])
    assert set(np.unique(y_res)) <= set(np.unique(y))
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    X_again, y_again = clone(sampler).fit_resample(X, y)
    np.testing.assert_array_equal(X_again, X_res)
    np.testing.assert_array_equal(y_again, y_res)


def test_under_samplers_keep_distinct_rows_in_order():
    X, y = _data([50, 30, 20])
    for sampler in [
        StepImbalanceSampler(rho=4, random_state=0),
        LinearImbalanceSampler(rho=4, random_state=0),
        RatioUnderSampler(random_state=0),
    ]:
        idx = sampler.fit(X, y).sample_indices_
        assert len(np.unique(idx)) == len(idx)
        assert np.all(np.diff(idx) > 0)


def test_over_sampler_keeps_every_row_then_adds_copies():
    X, y = _data([50, 5, 2])
    idx = RatioOverSampler(random_state=0).fit(X, y).sample_indices_
    np.testing.assert_array_equal(idx[: len(y)], np.arange(len(y)))
    assert RatioOverSampler().fit(X, y).sampling_strategy_ == {0: 0, 1: 45, 2: 48}


def test_different_seeds_differ():
    X, y = _data([50, 50, 50])
    a = StepImbalanceSampler(random_state=0).fit(X, y).sample_indices_
    b = StepImbalanceSampler(random_state=1).fit(X, y).sample_indices_
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_image_arrays_keep_their_shape(Sampler):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 1, 5, 5).astype(np.float32)
    y = np.repeat(["cat", "dog", "emu"], [30, 20, 10])
    X_res, y_res = Sampler(random_state=0).fit_resample(X, y)
    assert X_res.shape[1:] == (1, 5, 5)
    assert X_res.dtype == np.float32
    assert y_res.dtype == y.dtype
    np.testing.assert_array_equal(
        X_res, X[Sampler(random_state=0).fit(X, y).sample_indices_]
    )


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_pandas_in_pandas_out(Sampler):
    X, y = _data([30, 20, 10])
    X_df = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(60) * 2)
    y_s = pd.Series(y, name="label", index=X_df.index)
    X_res, y_res = Sampler(random_state=0).fit_resample(X_df, y_s)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == ["a", "b", "c"] and y_res.name == "label"
    sampler = Sampler(random_state=0).fit(X_df, y_s)
    np.testing.assert_array_equal(X_res.to_numpy(), X[sampler.sample_indices_])


def test_step_minority_choice_lowest_and_explicit():
    X, y = _data([40] * 10)
    lowest = StepImbalanceSampler(rho=10, mu=0.3, minority_classes="lowest").fit(X, y)
    assert lowest.minority_classes_.tolist() == [0, 1, 2]
    explicit = StepImbalanceSampler(rho=10, minority_classes=[7, 3]).fit(X, y)
    assert explicit.minority_classes_.tolist() == [3, 7]
    assert explicit.class_counts_[3] == 4 and explicit.class_counts_[0] == 40


def test_mu_rounds_half_up():
    assert round_half_up(0.25 * 10) == 3
    X, y = _data([10] * 10)
    sampler = StepImbalanceSampler(mu=0.25, random_state=0).fit(X, y)
    assert len(sampler.minority_classes_) == 3
    sampler = StepImbalanceSampler(mu=0.05, random_state=0).fit(X, y)
    assert len(sampler.minority_classes_) == 1


def test_linear_explicit_order_and_minority():
    X, y = _data([30, 30, 30])
    sampler = LinearImbalanceSampler(rho=3, class_order=[2, 0, 1]).fit(X, y)
    assert sampler.class_counts_ == {0: 20, 1: 30, 2: 10}
    assert sampler.minority_classes_.tolist() == [0, 2]


def test_function_forms_match_samplers():
    X, y = _data([30, 30, 30, 30])
    X1, y1 = make_step_imbalance(X, y, rho=5, mu=0.5, random_state=3)
    X2, y2 = StepImbalanceSampler(rho=5, mu=0.5, random_state=3).fit_resample(X, y)
    np.testing.assert_array_equal(X1, X2)
    X1, y1 = make_linear_imbalance(X, y, rho=5, random_state=3)
    X2, y2 = LinearImbalanceSampler(rho=5, random_state=3).fit_resample(X, y)
    np.testing.assert_array_equal(y1, y2)


def test_same_counts_as_imblearn_random_over_sampler():
    X, y = _data([40, 7, 3])
    _, ours = RatioOverSampler(random_state=0).fit_resample(X, y)
    _, theirs = RandomOverSampler(random_state=0).fit_resample(X, y)
    assert np.bincount(ours).tolist() == np.bincount(theirs).tolist()


def test_works_in_an_imblearn_pipeline():
    X, y = _data([80, 10, 5])
    X[:, 0] /= len(y)
    pipe = make_pipeline(RatioOverSampler(random_state=0), LogisticRegression())
    assert pipe.fit(X, y).score(X, y) > 0


BAD_PARAMS = [
    (StepImbalanceSampler, {"rho": 0.5}, r"'rho' parameter .* Got 0.5"),
    (StepImbalanceSampler, {"mu": 0}, r"'mu' parameter .* Got 0 "),
    (StepImbalanceSampler, {"mu": 1.5}, r"'mu' parameter .* Got 1.5"),
    (StepImbalanceSampler, {"mu": 0.04}, r"mu=0.04 gives no minority class"),
    (
        StepImbalanceSampler,
        {"n_majority": 11},
        r"n_majority=11 is larger than the smallest class \(10",
    ),
    (
        StepImbalanceSampler,
        {"minority_classes": [0, 9]},
        r"minority_classes contains classes not in y: \[9\]",
    ),
    (
        StepImbalanceSampler,
        {"minority_classes": [0, 0]},
        r"minority_classes contains duplicates",
    ),
    (
        StepImbalanceSampler,
        {"minority_classes": "last"},
        r"'minority_classes' parameter .* Got 'last'",
    ),
    (LinearImbalanceSampler, {"rho": 0.9}, r"'rho' parameter .* Got 0.9"),
    (
        LinearImbalanceSampler,
        {"n_max": 100},
        r"n_max=100 is larger than the smallest class",
    ),
    (
        LinearImbalanceSampler,
        {"class_order": [0, 1]},
        r"class_order must list every class in y; missing \[2\]",
    ),
    (
        RatioOverSampler,
        {"imbalance_ratio": 0.5},
        r"'imbalance_ratio' parameter .* Got 0.5",
    ),
    (
        RatioUnderSampler,
        {"imbalance_ratio": -1},
        r"'imbalance_ratio' parameter .* Got -1",
    ),
]


@pytest.mark.parametrize("Sampler, params, message", BAD_PARAMS)
def test_bad_parameters_raise_before_work(Sampler, params, message):
    X, y = _data([10, 20, 30])
    X_before = X.copy()
    with pytest.raises(ValueError, match=message):
        Sampler(**params).fit_resample(X, y)
    np.testing.assert_array_equal(X, X_before)


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_one_class_and_length_mismatch(Sampler):
    X, y = _data([10])
    with pytest.raises(ValueError, match=r"at least 2 classes; got 1 class \(0\)"):
        Sampler().fit_resample(X, y)
    X, y = _data([10, 10])
    with pytest.raises(ValueError, match=r"len\(X\)=20 and len\(y\)=19"):
        Sampler().fit_resample(X, y[:-1])


# ------------------------------------------------ ratio arithmetic and replacement
def _pairs(limit=70):
    return [(a, b) for a in range(1, limit + 1) for b in range(a, limit + 1)]


def test_a_ratio_the_data_meets_is_a_no_op_for_every_small_count_pair():
    """imbalance_ratio = b / a on counts a and b: nothing to add or drop, for
    all 2485 pairs up to 70 (float rounding once changed about 2400 of them)."""
    over, under = RatioOverSampler(), RatioUnderSampler()
    for a, b in _pairs():
        counts = np.array([a, b])
        over.imbalance_ratio = under.imbalance_ratio = b / a
        assert over._target_counts(None, counts, None).tolist() == [a, b], (a, b)
        assert under._target_counts(None, counts, None).tolist() == [a, b], (a, b)


@pytest.mark.parametrize("ratio", [1e308, float(np.finfo(float).max)])
def test_a_huge_ratio_is_a_no_op(ratio):
    X, y = np.zeros((68, 2)), np.repeat([0, 1], [7, 61])
    for sampler in (RatioOverSampler, RatioUnderSampler):
        _, y_res = sampler(imbalance_ratio=ratio, random_state=0).fit_resample(X, y)
        assert np.bincount(y_res).tolist() == [7, 61]


def test_under_sampling_with_replacement():
    X = np.arange(110)[:, None]
    y = np.repeat([0, 1], [100, 10])
    sampler = RatioUnderSampler(replacement=True, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [10, 10]
    repeats = [
        len(
            np.unique(
                RatioUnderSampler(replacement=True, random_state=s)
                .fit(X, y)
                .sample_indices_[:10]
            )
        )  # fmt: skip
        for s in range(20)
    ]
    assert min(repeats) < 10  # some draws repeat a row; without replacement never
    assert (
        len(np.unique(RatioUnderSampler(random_state=0).fit(X, y).sample_indices_))
        == 20
    )


def test_draw_is_pinned():
    """The rows drawn for a seed do not change between releases: kept rows
    in their order, then the copies class by class (imbalanced-learn's order)."""
    y = np.array([2, 0, 1, 0, 0, 2, 1, 0, 0, 1, 0])
    X = np.zeros((len(y), 1))
    over = RatioOverSampler(random_state=0).fit(X, y).sample_indices_
    under = RatioUnderSampler(random_state=0).fit(X, y).sample_indices_
    assert over.tolist() == [*range(11), 2, 6, 2, 5, 5, 5, 5]
    assert under.tolist() == [0, 2, 4, 5, 9, 10]
    assert over.dtype == under.dtype == np.intp
