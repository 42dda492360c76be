"""Tests of skimbalance.losses against hand (numpy) computations."""

import copy
import math
import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from skimbalance.losses import (
    ClassBalancedLoss,
    FocalLoss,
    ImbalanceLoss,
    LDAMLoss,
    LogitAdjustedLoss,
)

LOGITS = np.array(
    [
        [2.0, -1.0, 0.5],
        [0.1, 0.2, 0.3],
        [-1.5, 3.0, 0.0],
        [0.0, 0.0, 4.0],
        [1.0, 2.0, -2.0],
    ]
)
TARGET = np.array([0, 2, 1, 0, 2])
COUNTS = np.array([50.0, 10.0, 2.0])
ALL_LOSSES = [FocalLoss, ClassBalancedLoss, LogitAdjustedLoss, LDAMLoss]


def logits_target(dtype=torch.float32):
    return torch.tensor(LOGITS, dtype=dtype), torch.tensor(TARGET)


# -- reference implementations, written out with numpy -----------------------
def ref_ce(z, y):
    """-log softmax(z)_y per row."""
    z = np.asarray(z, dtype=np.float64)
    m = z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z - m).sum(axis=1)) + m[:, 0]
    return lse - z[np.arange(len(y)), y]


def ref_focal(z, y, gamma, alpha=None):
    nll = ref_ce(z, y)
    p = np.exp(-nll)
    loss = (1.0 - p) ** gamma * nll
    return loss if alpha is None else loss * np.asarray(alpha)[y]


def ref_cb_weights(counts, beta):
    w = np.array([(1 - beta) / (1 - beta**n) for n in counts])
    return w / w.sum() * len(counts)


def ref_logit_adjusted(z, y, counts, tau):
    prior = np.asarray(counts) / np.sum(counts)
    return ref_ce(np.asarray(z) + tau * np.log(prior), y)


def ref_ldam(z, y, counts, max_margin, s, weights=None):
    m = np.array([n**-0.25 for n in counts])
    m = m * max_margin / m.max()
    z = np.array(z, dtype=np.float64)
    z[np.arange(len(y)), y] -= m[y]
    loss = ref_ce(s * z, y)
    return loss if weights is None else loss * np.asarray(weights)[y]


def reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda x: x}[reduction](loss)


def check(criterion, expected, dtype=torch.float32, rtol=1e-5):
    got = criterion(*logits_target(dtype))
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=rtol, atol=1e-7)


# -- a fully hand-worked example ---------------------------------------------
def test_focal_by_hand_two_classes():
    # logits (0, ln 3): p = (1/4, 3/4); target 1, gamma 2, alpha (1, 2)
    criterion = FocalLoss(gamma=2.0, alpha=[1.0, 2.0])
    got = criterion(torch.tensor([[0.0, math.log(3.0)]]), torch.tensor([1]))
    assert got.item() == pytest.approx(2.0 * 0.25**2 * -math.log(0.75), rel=1e-6)


def test_ldam_by_hand_two_classes():
    # counts 625 and 16: n^-1/4 = 1/5 and 1/2, so margins 0.2 and 0.5
    criterion = LDAMLoss(max_margin=0.5, s=2.0, class_counts=[625, 16])
    got = criterion(torch.tensor([[1.0, 0.0]]), torch.tensor([0]))
    # logits become 2 * (0.8, 0) = (1.6, 0)
    assert got.item() == pytest.approx(math.log(1 + math.exp(-1.6)), rel=1e-6)
    assert criterion.margins.tolist() == pytest.approx([0.2, 0.5])


# -- each loss against the references, all reductions ------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "gamma, alpha, expected_alpha",
    [
        (2.0, None, None),
        (0.5, 0.25, [0.25] * 3),
        (1.0, [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
        (3.0, "balanced", 62.0 / (3 * COUNTS)),
    ],
)
def test_focal_matches_reference(reduction, gamma, alpha, expected_alpha):
    criterion = FocalLoss(
        gamma=gamma, alpha=alpha, class_counts=COUNTS, reduction=reduction
    )
    expected = ref_focal(LOGITS, TARGET, gamma, expected_alpha)
    check(criterion, reduce(expected, reduction))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("beta", [0.5, 0.9, 0.9999])
def test_class_balanced_matches_reference(reduction, beta):
    criterion = ClassBalancedLoss(beta=beta, class_counts=COUNTS, reduction=reduction)
    weights = ref_cb_weights(COUNTS, beta)
    np.testing.assert_allclose(criterion.class_weights, weights, rtol=1e-6)
    assert criterion.class_weights.sum().item() == pytest.approx(3.0)
    expected = ref_ce(LOGITS, TARGET) * weights[TARGET]
    check(criterion, reduce(expected, reduction))


def test_class_balanced_mean_is_plain_mean_not_weighted_mean():
    criterion = ClassBalancedLoss(beta=0.99, class_counts=COUNTS)
    logits, target = logits_target()
    torch_weighted = F.cross_entropy(logits, target, weight=criterion.class_weights)
    per_sample = ClassBalancedLoss(beta=0.99, class_counts=COUNTS, reduction="none")(
        logits, target
    )
    assert criterion(logits, target).item() == pytest.approx(per_sample.mean().item())
    assert criterion(logits, target).item() != pytest.approx(torch_weighted.item())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("tau", [0.5, 1.0, 2.0])
def test_logit_adjusted_matches_reference(reduction, tau):
    criterion = LogitAdjustedLoss(tau=tau, class_counts=COUNTS, reduction=reduction)
    expected = ref_logit_adjusted(LOGITS, TARGET, COUNTS, tau)
    check(criterion, reduce(expected, reduction))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("max_margin, s", [(0.5, 30.0), (1.0, 1.0), (0.3, 5.0)])
def test_ldam_matches_reference(reduction, max_margin, s):
    criterion = LDAMLoss(
        max_margin=max_margin, s=s, class_counts=COUNTS, reduction=reduction
    )
    expected = ref_ldam(LOGITS, TARGET, COUNTS, max_margin, s)
    check(criterion, reduce(expected, reduction), rtol=2e-5)


# -- special cases that reduce to cross-entropy -------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "criterion",
    [
        lambda r: FocalLoss(gamma=0.0, reduction=r),
        lambda r: LogitAdjustedLoss(tau=0.0, class_counts=COUNTS, reduction=r),
    ],
    ids=["focal-gamma0", "logit-adjusted-tau0"],
)
def test_equals_cross_entropy_exactly(criterion, reduction):
    logits, target = logits_target()
    got = criterion(reduction)(logits, target)
    expected = F.cross_entropy(logits, target, reduction=reduction)
    if reduction == "none":  # identical per-sample losses
        assert torch.equal(got, expected)
    else:  # torch's fused reduction may sum in another order
        torch.testing.assert_close(got, expected, rtol=1e-6, atol=0)


def test_class_balanced_beta0_equals_cross_entropy():
    criterion = ClassBalancedLoss(beta=0.0, class_counts=COUNTS)
    assert criterion.class_weights.tolist() == [1.0, 1.0, 1.0]
    logits, target = logits_target()
    torch.testing.assert_close(
        criterion(logits, target), F.cross_entropy(logits, target)
    )


def test_focal_loss_at_most_cross_entropy():
    logits = torch.randn(64, 5, generator=torch.Generator().manual_seed(0))
    target = torch.arange(64) % 5
    focal = FocalLoss(gamma=2.0, reduction="none")(logits, target)
    assert (focal <= F.cross_entropy(logits, target, reduction="none")).all()


# -- deferred re-weighting ----------------------------------------------------
def test_ldam_deferred_reweighting_switch():
    criterion = LDAMLoss(s=1.0, drw_start=0.5, drw_beta=0.999, class_counts=COUNTS)
    plain = ref_ldam(LOGITS, TARGET, COUNTS, 0.5, 1.0)
    weights = ref_cb_weights(COUNTS, 0.999)
    assert not criterion.reweighting
    check(criterion, plain.mean())
    assert criterion.set_progress(0.49) is criterion
    check(criterion, plain.mean())
    criterion.set_progress(0.5)
    assert criterion.reweighting
    np.testing.assert_allclose(criterion.drw_weights, weights, rtol=1e-6)
    check(criterion, (plain * weights[TARGET]).mean())
    criterion.set_progress(1.0)
    check(criterion, (plain * weights[TARGET]).mean())


@pytest.mark.parametrize("drw_start, on", [(None, False), (0.0, True)])
def test_ldam_drw_disabled_or_from_start(drw_start, on):
    criterion = LDAMLoss(drw_start=drw_start, class_counts=COUNTS)
    for progress in (0.0, 1.0):
        criterion.set_progress(progress)
        assert criterion.reweighting is on


def test_set_progress_is_a_validated_noop_elsewhere():
    criterion = FocalLoss()
    before = criterion(*logits_target())
    assert criterion.set_progress(1.0) is criterion
    assert torch.equal(criterion(*logits_target()), before)
    with pytest.raises(ValueError, match=r"'fraction'.*\[0.0, 1.0\]\. Got 1.5"):
        criterion.set_progress(1.5)


# -- gradients, dtypes, devices -----------------------------------------------
@pytest.mark.parametrize("loss_cls", ALL_LOSSES)
def test_gradient_flows_and_is_finite(loss_cls):
    criterion = loss_cls(class_counts=COUNTS)
    logits = torch.tensor(LOGITS, dtype=torch.float32, requires_grad=True)
    criterion(logits, torch.tensor(TARGET)).backward()
    assert logits.grad is not None
    assert torch.isfinite(logits.grad).all()
    assert logits.grad.abs().sum() > 0


@pytest.mark.parametrize("gamma", [0.0, 0.3, 2.0])
def test_focal_gradient_finite_when_saturated(gamma):
    logits = torch.tensor([[200.0, 0.0], [0.0, 200.0]], requires_grad=True)
    loss = FocalLoss(gamma=gamma)(logits, torch.tensor([0, 1]))
    loss.backward()
    assert torch.isfinite(loss)
    assert torch.isfinite(logits.grad).all()


@pytest.mark.parametrize("loss_cls", ALL_LOSSES)
def test_to_float64_moves_buffers(loss_cls):
    criterion = loss_cls(class_counts=COUNTS, reduction="none").to(torch.float64)
    buffers = dict(criterion.named_buffers())
    assert "class_counts" in buffers
    assert all(b.dtype == torch.float64 for b in buffers.values())
    logits, target = logits_target(torch.float64)
    out = criterion(logits, target)
    assert out.dtype == torch.float64
    np.testing.assert_allclose(
        out.numpy(),
        loss_cls(class_counts=COUNTS, reduction="none")(logits.float(), target).numpy(),
        rtol=1e-5,
    )


@pytest.mark.parametrize("loss_cls", ALL_LOSSES)
def test_to_device_moves_buffers(loss_cls):
    criterion = loss_cls(class_counts=COUNTS).to("meta")
    assert all(b.device.type == "meta" for b in criterion.buffers())


def test_set_class_counts_after_to_keeps_dtype():
    criterion = ClassBalancedLoss(class_counts=[1.0, 2.0]).double()
    criterion.set_class_counts(COUNTS)
    assert criterion.class_weights.dtype == torch.float64
    assert criterion.class_counts.dtype == torch.float64


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("loss_cls", ALL_LOSSES)
def test_cuda(loss_cls):  # pragma: no cover - needs a GPU
    criterion = loss_cls(class_counts=COUNTS).to("cuda")
    logits, target = logits_target()
    out = criterion(logits.cuda(), target.cuda())
    expected = loss_cls(class_counts=COUNTS)(logits, target)
    torch.testing.assert_close(out.cpu(), expected)


# -- counts -------------------------------------------------------------------
@pytest.mark.parametrize("loss_cls", ALL_LOSSES)
def test_set_class_counts_resets_derived_quantities(loss_cls):
    criterion = loss_cls(class_counts=[1.0, 1.0, 1.0], reduction="none")
    assert criterion.set_class_counts(torch.tensor(COUNTS)) is criterion
    np.testing.assert_allclose(
        criterion(*logits_target()).detach().numpy(),
        loss_cls(class_counts=COUNTS, reduction="none")(*logits_target())
        .detach()
        .numpy(),
    )
    np.testing.assert_array_equal(criterion.class_counts, COUNTS)


def test_counts_not_needed_for_unweighted_focal():
    assert FocalLoss(alpha=[1.0, 1.0, 1.0]).class_counts is None
    check(FocalLoss(alpha=[1.0, 1.0, 1.0]), ref_focal(LOGITS, TARGET, 2.0).mean())


# -- pickling and copying -----------------------------------------------------
@pytest.mark.parametrize("loss_cls", ALL_LOSSES)
def test_pickle_and_deepcopy(loss_cls):
    criterion = loss_cls(class_counts=COUNTS)
    criterion.set_progress(0.9)
    expected = criterion(*logits_target())
    for other in (pickle.loads(pickle.dumps(criterion)), copy.deepcopy(criterion)):
        assert type(other) is loss_cls
        assert torch.equal(other(*logits_target()), expected)
    unset = loss_cls()
    clone = copy.deepcopy(unset).set_class_counts(COUNTS)
    assert unset.class_counts is None
    assert torch.equal(
        clone(*logits_target()),
        loss_cls(class_counts=COUNTS)(*logits_target()).detach(),
    )


def test_repr_and_base_class():
    assert all(issubclass(cls, ImbalanceLoss) for cls in ALL_LOSSES)
    assert "gamma=2.0" in repr(FocalLoss())
    assert "drw_start=0.8" in repr(LDAMLoss())


# -- errors ------------------------------------------------------------------
@pytest.mark.parametrize(
    "loss_cls",
    [
        ClassBalancedLoss,
        LogitAdjustedLoss,
        LDAMLoss,
        lambda: FocalLoss(alpha="balanced"),
    ],
)
def test_missing_counts(loss_cls):
    with pytest.raises(
        ValueError,
        match=r"needs class counts: pass class_counts= or call set_class_counts\(\)",
    ):
        loss_cls()(*logits_target())


@pytest.mark.parametrize("loss_cls", ALL_LOSSES)
def test_counts_length_mismatch(loss_cls):
    with pytest.raises(
        ValueError, match=r"logits have 3 classes .* class_counts has 2 entries"
    ):
        loss_cls(class_counts=[5, 5])(*logits_target())


@pytest.mark.parametrize(
    "counts, match",
    [
        (
            [5.0, 0.0, 3.0],
            r"All entries of class_counts must be finite and > 0; "
            r"got class_counts\[1\]=0",
        ),
        ([5.0, -2.0], r"class_counts\[1\]=-2"),
        ([5.0, float("nan")], r"class_counts\[1\]=nan"),
        ([[1.0, 2.0]], r"class_counts must be a non-empty 1-D .* shape \(1, 2\)"),
        ([], r"class_counts must be a non-empty 1-D .* shape \(0,\)"),
        (["a", "b"], r"class_counts must be a 1-D array-like of numbers"),
    ],
)
@pytest.mark.parametrize("loss_cls", ALL_LOSSES)
def test_bad_counts(loss_cls, counts, match):
    with pytest.raises(ValueError, match=match):
        loss_cls(class_counts=counts)
    with pytest.raises(ValueError, match=match):
        loss_cls().set_class_counts(counts)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: FocalLoss(gamma=-1), r"'gamma' parameter of FocalLoss .*Got -1"),
        (lambda: FocalLoss(gamma="2"), r"'gamma' .* Got '2' instead"),
        (lambda: FocalLoss(alpha="inverse"), r"'alpha' .* got alpha='inverse'"),
        (lambda: FocalLoss(alpha=-0.5), r"'alpha' .*\[0.0, inf\]\. Got -0.5"),
        (
            lambda: FocalLoss(alpha=[1.0, -1.0]),
            r"entries of alpha must be finite and >= 0; got alpha\[1\]=-1",
        ),
        (
            lambda: FocalLoss(alpha=[1.0, 1.0], class_counts=COUNTS),
            r"alpha has 2 entries but class_counts has 3",
        ),
        (
            lambda: ClassBalancedLoss(beta=1.0),
            r"'beta' parameter of ClassBalancedLoss .*\[0.0, 1.0\)\. Got 1.0",
        ),
        (lambda: ClassBalancedLoss(beta=-0.1), r"'beta' .*Got -0.1"),
        (lambda: LogitAdjustedLoss(tau=-1.0), r"'tau' .* Got -1.0"),
        (lambda: LogitAdjustedLoss(tau=float("nan")), r"'tau' .* Got nan"),
        (lambda: LDAMLoss(max_margin=0), r"'max_margin' .*\(0.0, inf\]\. Got 0"),
        (lambda: LDAMLoss(s=0.0), r"'s' parameter of LDAMLoss .* Got 0.0"),
        (lambda: LDAMLoss(drw_start=1.5), r"'drw_start' .* Got 1.5"),
        (lambda: LDAMLoss(drw_beta=1), r"'drw_beta' .* Got 1 instead"),
        (lambda: FocalLoss(reduction="avg"), r"'reduction' .* reduction='avg'"),
        (lambda: LDAMLoss(reduction=None), r"'reduction' .* reduction=None"),
    ],
)
def test_bad_hyperparameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_input_shapes():
    criterion = FocalLoss(class_counts=COUNTS)
    logits, target = logits_target()
    with pytest.raises(
        ValueError, match=r"expects logits of shape .* got shape \(5,\)"
    ):
        criterion(logits[:, 0], target)
    with pytest.raises(ValueError, match=r"target of shape \(5,\) .* shape \(4,\)"):
        criterion(logits, target[:4])
    with pytest.raises(ValueError, match=r"logits have 2 classes .* alpha has 3"):
        FocalLoss(alpha=[1.0, 1.0, 1.0])(logits[:, :2], target % 2)
