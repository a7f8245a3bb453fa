"""The engine against PyTorch in float64: random expressions (first and second derivatives), the values
and derivatives at kinks, poles and overflow, micrograd's own tests, and the fused n-ary nodes.

Skipped, saying why, when PyTorch is not installed; CI installs it, so there these always run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import micrograd_cases
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import microgradnet as mg
from microgradnet import OPS, Value, gradients
from microgradnet.testing import Apply, Expression, gradcheck
from microgradnet.testing.strategies import expressions
from microgradnet.testing.trees import OPERATORS, nodes

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch); CI installs it")
F = torch.nn.functional


def torch_op(name: str, *args: Any) -> Any:
    """Op `name` of our table done by PyTorch: operators and tensor methods of the same name."""
    if name == "leaky_relu":
        x, slope = (torch.as_tensor(a, dtype=torch.float64) for a in args)
        return torch.where(x > 0, x, slope * x)  # F.leaky_relu takes no tensor slope; same derivatives
    if name in OPERATORS:
        return OPERATORS[name](*args)
    assert hasattr(torch.Tensor, name), f"new op {name!r}: say how PyTorch computes it in torch_op"
    return getattr(torch.Tensor, name)(args[0], *args[1:])


def leaves(point: Sequence[float]) -> list[Any]:
    return [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]


def torch_grads(out: Any, xs: Sequence[Any], create_graph: bool = False) -> list[Any]:
    if not out.requires_grad:
        return [torch.zeros((), dtype=torch.float64) for _ in xs]
    gs = torch.autograd.grad(out, xs, allow_unused=True, create_graph=create_graph, retain_graph=True)
    return [torch.zeros((), dtype=torch.float64) if g is None else g for g in gs]


def close(ours: float, theirs: float, rel: float = 1e-10, abs_tol: float = 1e-13) -> bool:
    """Equal to rel (nan equals nan, infinities must match exactly)."""
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    if math.isinf(ours) or math.isinf(theirs):
        return ours == theirs
    return abs(ours - theirs) <= max(rel * max(abs(ours), abs(theirs)), abs_tol)


def test_every_op_has_a_pytorch_counterpart() -> None:
    for name, op in OPS.items():
        args = [0.5] * op.arity
        assert close(torch_op(name, *leaves(args)).item(), op.f(*args), rel=1e-15), name


# -- random expressions -----------------------------------------------------------------------------
@settings(max_examples=100, database=None)
@given(e=expressions(n_inputs=3, max_leaves=10))
def test_random_expressions_match_pytorch(e: Expression) -> None:
    xs = [Value(x) for x in e.inputs]
    out = e(*xs)
    assert isinstance(out, Value)
    out.backward()
    ts = leaves(e.inputs)
    t_out = e.tree.evaluate(ts, torch_op)
    t_out = torch.as_tensor(t_out, dtype=torch.float64)
    assert close(out.data, t_out.item()), (out.data, t_out.item())
    for x, g in zip(xs, torch_grads(t_out, ts)):
        assert close(x.grad, g.item()), (x.grad, g.item())
    assert gradcheck(e, e.inputs)


def _pow_with_exponent_zero(e: Expression) -> bool:
    return any(isinstance(n, Apply) and n.op == "pow" and n.args[1].evaluate(e.inputs) == 0.0 for n in nodes(e.tree))


@settings(max_examples=60, database=None)
@given(e=expressions(n_inputs=2, max_leaves=8))
def test_second_derivatives_of_random_expressions_match_pytorch_double_backward(e: Expression) -> None:
    # PyTorch's double backward of x ** y says d/dy (d/dx) = 0 at y == 0 exactly; the math (and we) say 1/x
    assume(not _pow_with_exponent_zero(e))
    xs = [Value(x) for x in e.inputs]
    out = e(*xs)
    assert isinstance(out, Value)
    firsts = gradients(out, xs, create_graph=True)
    ts = leaves(e.inputs)
    t_out = torch.as_tensor(e.tree.evaluate(ts, torch_op), dtype=torch.float64)
    t_firsts = torch_grads(t_out, ts, create_graph=True)
    for d, t_d in zip(firsts, t_firsts):
        assert close(d.data, t_d.item())
        for h, t_h in zip(gradients(d, xs), torch_grads(t_d, ts)):
            assert close(h.data, t_h.item(), rel=1e-9, abs_tol=1e-12), (str(e), h.data, t_h.item())


# -- kinks, poles, overflow: the same value and derivative as PyTorch ---------------------------------
def _leaky(x: Any, slope: Any) -> Any:
    if isinstance(x, Value):
        return x.leaky_relu(slope)
    return F.leaky_relu(x, slope) if isinstance(slope, float) else torch_op("leaky_relu", x, slope)


EDGE_CASES: list[tuple[str, Callable[..., Any], tuple[float, ...]]] = [
    ("relu(0)", lambda x: x.relu(), (0.0,)),
    ("relu(-0.0)", lambda x: x.relu(), (-0.0,)),
    ("abs(0)", lambda x: abs(x), (0.0,)),
    ("leaky_relu(0, 0.1)", lambda x: _leaky(x, 0.1), (0.0,)),
    ("leaky_relu(0, slope)", _leaky, (0.0, 0.3)),
    ("leaky_relu(-1, slope)", _leaky, (-1.0, 0.3)),
    ("0 ** 2", lambda x: x**2, (0.0,)),
    ("0 ** 0", lambda x: x**0, (0.0,)),
    ("0 ** 0.5", lambda x: x**0.5, (0.0,)),
    ("0 ** -1", lambda x: x**-1, (0.0,)),
    ("(-2) ** 2", lambda x: x**2, (-2.0,)),
    ("(-8) ** (1/3)", lambda x: x ** (1 / 3), (-8.0,)),
    ("x ** y at (0, 2)", lambda x, y: x**y, (0.0, 2.0)),
    ("x ** y at (0, 0)", lambda x, y: x**y, (0.0, 0.0)),
    ("x ** y at (0, -1)", lambda x, y: x**y, (0.0, -1.0)),
    ("x ** y at (-2, 2)", lambda x, y: x**y, (-2.0, 2.0)),
    ("x ** y at (-8, 1/3)", lambda x, y: x**y, (-8.0, 1 / 3)),
    ("x ** y at (2, 0)", lambda x, y: x**y, (2.0, 0.0)),
    ("0 ** y at 2", lambda y: 0.0**y, (2.0,)),
    ("0 ** y at 0", lambda y: 0.0**y, (0.0,)),
    ("2 ** y at 0", lambda y: 2.0**y, (0.0,)),
    ("(-2) ** y at 2", lambda y: (-2.0) ** y, (2.0,)),
    ("log(0)", lambda x: x.log(), (0.0,)),
    ("log(-1)", lambda x: x.log(), (-1.0,)),
    ("sqrt(0)", lambda x: x.sqrt(), (0.0,)),
    ("sqrt(-1)", lambda x: x.sqrt(), (-1.0,)),
    ("1 / 0", lambda x: 1.0 / x, (0.0,)),
    ("-1 / 0", lambda x: -1.0 / x, (0.0,)),
    ("0 / 0", lambda x, y: x / y, (0.0, 0.0)),
    ("1 / y at 0", lambda x, y: x / y, (1.0, 0.0)),
    ("exp(1000)", lambda x: x.exp(), (1000.0,)),
    ("exp(-1000)", lambda x: x.exp(), (-1000.0,)),
    ("tanh(1000)", lambda x: x.tanh(), (1000.0,)),
    ("sigmoid(-1000)", lambda x: x.sigmoid(), (-1000.0,)),
    ("sigmoid(1000)", lambda x: x.sigmoid(), (1000.0,)),
    ("x * x at 1e200", lambda x: x * x, (1e200,)),
    ("sin(inf)", lambda x: x.sin(), (math.inf,)),
    ("cos(-inf)", lambda x: x.cos(), (-math.inf,)),
    ("inf * 0", lambda x: x * 0.0, (math.inf,)),
    ("tanh(nan)", lambda x: x.tanh(), (math.nan,)),
    ("relu(nan)", lambda x: x.relu(), (math.nan,)),
]


@pytest.mark.parametrize(("label", "f", "point"), EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_edge_values_and_derivatives_are_pytorchs(label: str, f: Callable[..., Any], point: tuple[float, ...]) -> None:
    xs = [Value(x) for x in point]
    out = f(*xs)
    out.backward()
    ts = leaves(point)
    t_out = f(*ts)
    t_out.backward()
    assert close(out.data, t_out.item(), rel=1e-15), (out.data, t_out.item())
    for x, t in zip(xs, ts):
        assert close(x.grad, t.grad.item(), rel=1e-15), (x.grad, t.grad.item())


# -- micrograd's own tests (karpathy/micrograd test/test_engine.py), ours against PyTorch ------------
def test_micrograd_sanity_check() -> None:
    x = Value(-4.0)
    y = micrograd_cases.sanity(x)
    y.backward()
    (xt,) = leaves([-4.0])
    yt = micrograd_cases.sanity(xt)
    yt.backward()
    assert y.data == yt.item() and x.grad == xt.grad.item()


def test_micrograd_more_ops() -> None:
    a, b = Value(-4.0), Value(2.0)
    g = micrograd_cases.more_ops(a, b)
    g.backward()
    at, bt = leaves([-4.0, 2.0])
    gt = micrograd_cases.more_ops(at, bt)
    gt.backward()
    tol = 1e-6  # micrograd's own tolerance; we are much closer
    assert abs(g.data - gt.item()) < tol and abs(a.grad - at.grad.item()) < tol and abs(b.grad - bt.grad.item()) < tol
    assert close(g.data, gt.item(), rel=1e-13)
    assert close(a.grad, at.grad.item(), rel=1e-13) and close(b.grad, bt.grad.item(), rel=1e-13)


# -- fused nodes -------------------------------------------------------------------------------------
numbers = st.floats(-5.0, 5.0)


@settings(max_examples=40, database=None)
@given(terms=st.lists(numbers, min_size=1, max_size=8), start=numbers)
def test_sum_matches_pytorch(terms: list[float], start: float) -> None:
    vs = [Value(t) for t in terms]
    s0 = Value(start)
    out = mg.sum((v * v for v in vs), s0)
    out.backward()
    ts, (st0,) = leaves(terms), leaves([start])
    t_out = torch.stack([t * t for t in ts]).sum() + st0
    t_out.backward()
    assert close(out.data, t_out.item(), rel=1e-13)
    assert all(close(v.grad, t.grad.item()) for v, t in zip(vs, ts)) and s0.grad == 1.0


@settings(max_examples=40, database=None)
@given(terms=st.lists(st.floats(-50.0, 50.0), min_size=1, max_size=8))
def test_sum_squares_and_logsumexp_match_pytorch(terms: list[float]) -> None:
    for ours, theirs in ((mg.sum_squares, lambda t: (t * t).sum()), (mg.logsumexp, lambda t: torch.logsumexp(t, 0))):
        vs = [Value(t) for t in terms]
        out = ours([v * 1.5 for v in vs])
        out.backward()
        ts = leaves(terms)
        t_out = theirs(torch.stack(ts) * 1.5)
        t_out.backward()
        assert close(out.data, t_out.item(), rel=1e-13)
        assert all(close(v.grad, t.grad.item(), rel=1e-12, abs_tol=1e-15) for v, t in zip(vs, ts))
        # second derivatives, through gradients(create_graph=True), against torch's double backward
        (d0,) = gradients(ours(vs), [vs[0]], create_graph=True)
        (d00,) = gradients(d0, [vs[0]])
        t0 = leaves(terms)
        (td0,) = torch.autograd.grad(theirs(torch.stack(t0)), [t0[0]], create_graph=True)
        (td00,) = torch.autograd.grad(td0, [t0[0]])
        assert close(d0.data, td0.item(), rel=1e-12, abs_tol=1e-15)
        # p (1 - p) cancels where p is near 1: both sides lose digits there (PyTorch more), ~1e-15 absolute
        assert close(d00.data, td00.item(), rel=1e-12, abs_tol=1e-14)


@settings(max_examples=40, database=None)
@given(data=st.data(), n=st.integers(1, 6))
def test_linear_matches_pytorch_for_value_float_and_mixed_inputs(data: st.DataObject, n: int) -> None:
    w = data.draw(st.lists(numbers, min_size=n, max_size=n))
    x = data.draw(st.lists(numbers, min_size=n, max_size=n))
    b = data.draw(numbers)
    as_value = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))  # which inputs are Values
    ws, bv = [Value(v) for v in w], Value(b)
    xs = [Value(v) if keep else v for v, keep in zip(x, as_value)]
    out = mg.linear(ws, xs, bv)
    out.backward()
    tw, tx, (tb,) = leaves(w), leaves(x), leaves([b])
    t_out = (torch.stack(tw) * torch.stack(tx)).sum() + tb
    t_out.backward()
    assert close(out.data, t_out.item(), rel=1e-12, abs_tol=1e-12)
    assert all(close(v.grad, t.grad.item()) for v, t in zip(ws, tw)) and bv.grad == 1.0
    assert all(close(v.grad, t.grad.item()) for v, t in zip(xs, tx) if isinstance(v, Value))
    # and the same through gradients(create_graph=True), whose partials differ from the backward fast path
    (d_w0,) = gradients(mg.linear(ws, xs, bv), [ws[0]], create_graph=True)
    assert close(d_w0.data, x[0])
