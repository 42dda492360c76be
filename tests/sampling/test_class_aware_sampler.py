"""Tests of ClassAwareSampler."""

import pickle

import numpy as np
import pytest
import torch
from scipy.stats import chisquare
from torch.utils.data import DataLoader, TensorDataset

from skimbalance.sampling import ClassAwareSampler

# 1000 : 10 : 1, shuffled so that classes are interleaved
LABELS = np.random.default_rng(0).permutation(np.repeat([0, 1, 2], [1000, 10, 1]))


def test_class_frequencies_are_uniform():
    sampler = ClassAwareSampler(LABELS, random_state=0)
    indices = sampler.sample_indices(30000)
    freq = np.bincount(LABELS[indices], minlength=3) / indices.size
    np.testing.assert_allclose(freq, 1 / 3, atol=0.02)
    assert chisquare(np.bincount(LABELS[indices])).pvalue > 1e-3


def test_within_class_uniform():
    sampler = ClassAwareSampler(LABELS, random_state=1)
    indices = sampler.sample_indices(30000)
    minority = indices[LABELS[indices] == 1]
    hits = np.unique(minority, return_counts=True)
    np.testing.assert_array_equal(hits[0], np.flatnonzero(LABELS == 1))
    assert chisquare(hits[1]).pvalue > 1e-3
    assert set(indices[LABELS[indices] == 2]) == set(np.flatnonzero(LABELS == 2))


def test_indices_valid_and_of_drawn_class():
    sampler = ClassAwareSampler(LABELS, num_samples=500, random_state=0)
    indices = np.fromiter(sampler, dtype=np.int64)
    assert indices.shape == (500,)
    assert indices.min() >= 0 and indices.max() < LABELS.size
    assert all(type(i) is int for i in sampler)
    np.testing.assert_array_equal(sampler.classes_, [0, 1, 2])
    np.testing.assert_array_equal(sampler.class_counts_, [1000, 10, 1])
    out = sampler.sample_indices(7)
    assert out.dtype == np.int64 and out.shape == (7,)
    assert sampler.sample_indices(0).shape == (0,)


def test_len_and_default_num_samples():
    assert len(ClassAwareSampler(LABELS)) == LABELS.size
    assert len(list(ClassAwareSampler(LABELS))) == LABELS.size
    assert len(ClassAwareSampler(LABELS, num_samples=np.int64(3))) == 3


def test_reproducible_with_same_seed():
    a = ClassAwareSampler(LABELS, num_samples=100, random_state=42)
    b = ClassAwareSampler(LABELS, num_samples=100, random_state=42)
    first, second = list(a), list(a)
    assert second != first  # successive epochs differ
    assert [list(b), list(b)] == [first, second]
    assert first != list(ClassAwareSampler(LABELS, num_samples=100, random_state=43))


def test_random_state_kinds():
    rs1, rs2 = np.random.RandomState(3), np.random.RandomState(3)
    assert list(ClassAwareSampler(LABELS, num_samples=50, random_state=rs1)) == list(
        ClassAwareSampler(LABELS, num_samples=50, random_state=rs2)
    )
    gen = np.random.default_rng(5)
    sampler = ClassAwareSampler(LABELS, num_samples=50, random_state=gen)
    state = gen.bit_generator.state
    sampler.sample_indices(10)
    assert gen.bit_generator.state != state  # the given Generator is used
    assert len(list(ClassAwareSampler(LABELS, num_samples=5))) == 5


def test_works_in_a_dataloader():
    X = torch.arange(LABELS.size, dtype=torch.float32)[:, None]
    dataset = TensorDataset(X, torch.as_tensor(LABELS))
    sampler = ClassAwareSampler(LABELS, num_samples=3000, random_state=0)
    loader = DataLoader(dataset, sampler=sampler, batch_size=64)
    assert len(loader) == 47
    seen = []
    for xb, yb in loader:
        assert torch.equal(torch.as_tensor(LABELS)[xb[:, 0].long()], yb)
        seen.append(yb)
    freq = torch.bincount(torch.cat(seen), minlength=3).double() / 3000
    assert torch.allclose(freq, torch.full((3,), 1 / 3, dtype=torch.float64), atol=0.04)


def test_string_tensor_and_unorderable_labels():
    labels = np.array(["spam"] * 20 + ["ham"] * 2 + ["eggs"])
    sampler = ClassAwareSampler(list(labels), random_state=0)
    np.testing.assert_array_equal(sampler.classes_, ["eggs", "ham", "spam"])
    drawn = labels[sampler.sample_indices(3000)]
    assert set(np.unique(drawn, return_counts=True)[1]) <= set(range(900, 1100))
    tensor_sampler = ClassAwareSampler(torch.tensor([0, 0, 0, 1]), random_state=0)
    np.testing.assert_array_equal(tensor_sampler.class_counts_, [3, 1])


@pytest.mark.parametrize(
    "labels, match",
    [
        ([0.0, np.nan, 1.0], r"must not contain NaN; got NaN at index 1"),
        (np.array(["a", None, "b"], dtype=object), r"labels\[1\] is None: every"),
        (np.array([1, "a", "a"], dtype=object), r"all strings or all numbers.*"
         r"'a' at index 1 and 1 at index 0"),
        (np.array([np.nan, "a"], dtype=object), r"labels\[0\] is nan: every example"),
    ],
)  # fmt: skip
def test_labels_that_are_not_classes(labels, match):
    with pytest.raises(ValueError, match=match):
        ClassAwareSampler(labels)


def test_single_class_and_labels_not_mutated():
    labels = np.array([3, 3, 3])
    sampler = ClassAwareSampler(labels, random_state=0)
    assert set(sampler) <= {0, 1, 2}
    np.testing.assert_array_equal(labels, [3, 3, 3])


def test_picklable():
    sampler = ClassAwareSampler(LABELS, num_samples=20, random_state=0)
    clone = pickle.loads(pickle.dumps(sampler))
    assert list(clone) == list(sampler)
    assert "num_samples=20" in repr(sampler)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"labels": []}, r"labels must not be empty; got 0 labels"),
        ({"labels": [[0, 1], [1, 0]]}, r"labels must be a 1-D .* shape \(2, 2\)"),
        ({"labels": 3}, r"labels must be a 1-D .* shape \(\)"),
        (
            {"num_samples": 0},
            r"'num_samples' parameter .* int in the range \[1, inf\) or None\. Got 0",
        ),
        ({"num_samples": 2.5}, r"'num_samples' parameter .*Got 2.5"),
        ({"random_state": "seed"}, r"random_state must be None, an int.*'seed'"),
    ],
)
def test_errors(kwargs, match):
    kwargs = {"labels": [0, 1, 1], **kwargs}
    with pytest.raises(ValueError, match=match):
        ClassAwareSampler(**kwargs)


def test_sample_indices_error():
    with pytest.raises(ValueError, match=r"'n' parameter .*range \[0, inf\)\. Got -1"):
        ClassAwareSampler([0, 1]).sample_indices(-1)
