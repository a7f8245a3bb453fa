"""Zero derivatives that are masked, not multiplied; gradients divided, not multiplied by a reciprocal; the
softmax of logsumexp in a graph; the op functions on huge integers. Compared with PyTorch (float64) where
it has the same op, through backward(), gradients() and gradients(create_graph=True) alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import microgradnet as mg
from microgradnet import OPS, Value, gradients
from microgradnet.engine.extend import Divides, ZeroWhere
from microgradnet.engine.op_nodes import as_function, pullback

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch); CI installs it")
inf, nan = math.inf, math.nan


def same(a: float, b: float) -> bool:
    """Equal, nan equal to nan."""
    return (math.isnan(a) and math.isnan(b)) or a == b


def torch_first(f: Callable[..., Any], point: tuple[float, ...]) -> tuple[float, list[float]]:
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    out = f(*ts)
    out.backward()
    return out.item(), [0.0 if t.grad is None else t.grad.item() for t in ts]


def _leaky(x: Any, slope: float) -> Any:
    return x.leaky_relu(slope) if isinstance(x, Value) else torch.nn.functional.leaky_relu(x, slope)


# f (written once, for Values and tensors alike), the point
CASES: list[tuple[str, Callable[..., Any], tuple[float, ...]]] = [
    ("relu(x).sqrt() at -1", lambda x: x.relu().sqrt(), (-1.0,)),
    ("relu(x).sqrt() at 0", lambda x: x.relu().sqrt(), (0.0,)),
    ("relu(x).log() at -1", lambda x: x.relu().log(), (-1.0,)),
    ("1 / relu(x) at -1", lambda x: 1.0 / x.relu(), (-1.0,)),
    ("c / relu(x) at -1", lambda x, c: c / x.relu(), (-1.0, 2.0)),
    ("relu(x) / c at -1, c = 0", lambda x, c: x.relu() / c, (-1.0, 0.0)),
    ("relu(nan)", lambda x: x.relu(), (nan,)),
    ("x ** 0 at 1e-310", lambda x: x**0, (1e-310,)),
    ("x ** y at (1e-310, 0)", lambda x, y: x**y, (1e-310, 0.0)),
    ("1 / (x ** 0 - 1) at 0", lambda x: 1.0 / (x**0 - 1.0), (0.0,)),
    ("1 / (x ** y - 1) at (0, 0)", lambda x, y: 1.0 / (x**y - 1.0), (0.0, 0.0)),
    ("log(x) * 0 at 5e-324", lambda x: x.log() * 0.0, (5e-324,)),
    ("1e-6 * log(exp(x)) at -710", lambda x: 1e-6 * x.exp().log(), (-710.0,)),
    ("(x / y) * 0 at (1, 1e-310)", lambda x, y: (x / y) * 0.0, (1.0, 1e-310)),
    ("(x / 1e-310) * 0", lambda x: (x / 1e-310) * 0.0, (1.0,)),
    ("sqrt(x) * 0 at 0", lambda x: x.sqrt() * 0.0, (0.0,)),
    ("sqrt(x) * 1e-300 at 1e-320", lambda x: x.sqrt() * 1e-300, (1e-320,)),
    ("log(x) at 0", lambda x: x.log(), (0.0,)),
    ("x / y at (1, 0)", lambda x, y: x / y, (1.0, 0.0)),
    # the masked 0 flows on, as in PyTorch: below it, 0 times pow's infinite derivative is nan
    ("relu(log(sigmoid(0 ** x))) at -0.907", lambda x: (0.0**x).sigmoid().log().relu(), (-0.907,)),
    ("relu(x - 1) * 2 + x at -1", lambda x: (x - 1.0).relu() * 2.0 + x, (-1.0,)),
    # PyTorch multiplies these zeros, and so do we: a kink's 0 times an infinite gradient is nan
    ("abs(x).sqrt() at 0", lambda x: abs(x).sqrt(), (0.0,)),
    ("leaky_relu(x, 0).sqrt() at -1", lambda x: _leaky(x, 0.0).sqrt(), (-1.0,)),
    ("0 ** y, log at 0", lambda y: (0.0**y).log(), (0.0,)),
]


@pytest.mark.parametrize(("label", "f", "point"), CASES, ids=[c[0] for c in CASES])
def test_masked_and_divided_gradients_are_pytorchs(label: str, f: Callable[..., Any], point: tuple[float, ...]) -> None:
    value, grads = torch_first(f, point)
    xs = [Value(x) for x in point]
    out = f(*xs)
    assert same(out.data, value), (out.data, value)
    out.backward()
    assert all(same(x.grad, g) for x, g in zip(xs, grads)), ([x.grad for x in xs], grads)
    for create_graph in (False, True):
        xs = [Value(x) for x in point]
        found = [d.data for d in gradients(f(*xs), xs, create_graph=create_graph)]
        assert all(same(a, b) for a, b in zip(found, grads)), (create_graph, found, grads)


def test_a_masked_derivative_stops_an_infinite_gradient_in_every_mode() -> None:
    x = Value(-1.0)
    y = x.relu().sqrt()  # sqrt's derivative at 0 is inf: relu passes nothing, not inf * 0
    (d,) = gradients(y, [x], create_graph=True)
    assert d.data == 0.0 and not d._prev  # no gradient flowed: a constant 0, nothing to differentiate
    (d2,) = gradients(d, [x])
    assert d2.data == 0.0
    t = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)
    (td,) = torch.autograd.grad(t.relu().sqrt(), [t], create_graph=True)
    assert td.item() == 0.0


def test_the_second_derivative_of_pow_at_exponent_zero_survives_a_subnormal_base() -> None:
    """The graph of d/dx x**y at y = 0 is y·out/x: 0 even where 1/x overflows, and its d/dy is 1/x."""
    x, y = Value(1e-310), Value(0.0)
    (dx,) = gradients(x**y, [x], create_graph=True)
    assert dx.data == 0.0  # y x^(y-1) would be 0 * inf = nan
    ddx, ddy = (g.data for g in gradients(dx, [x, y]))
    assert ddx == 0.0 and not math.isfinite(ddy)  # 1/x = 1e310 overflows: no finite number is the answer
    x, y = Value(1e-300), Value(0.0)
    (dx,) = gradients(x**y, [x], create_graph=True)
    assert [g.data for g in gradients(dx, [x, y])] == [0.0, pytest.approx(1e300, rel=1e-15)]
    x, y = Value(2.0), Value(0.0)
    (dx,) = gradients(x**y, [x], create_graph=True)
    (dxy,) = gradients(dx, [y], create_graph=True)
    assert dxy.data == 0.5
    # d/dy of x^(y-1) (1 + y log x) at y = 0 is 2 log(x) / x: the third derivative is right too
    assert gradients(dxy, [y])[0].data == pytest.approx(2 * math.log(2.0) / 2.0, rel=1e-15)


@pytest.mark.parametrize("point", [(0.0, inf), (inf, -1e308), (inf, inf), (-inf, inf), (3.0, inf, -inf)])
def test_logsumexp_of_an_infinite_term_has_pytorchs_derivatives(point: tuple[float, ...]) -> None:
    t = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    torch.logsumexp(t, 0).backward()
    expected = t.grad.tolist()
    xs = [Value(x) for x in point]
    mg.logsumexp(xs).backward()
    assert all(same(x.grad, e) for x, e in zip(xs, expected)), ([x.grad for x in xs], expected)
    for create_graph in (False, True):
        xs = [Value(x) for x in point]
        found = [d.data for d in gradients(mg.logsumexp(xs), xs, create_graph=create_graph)]
        assert all(same(a, e) for a, e in zip(found, expected)), (create_graph, found, expected)


def test_logsumexp_in_a_graph_keeps_its_precision() -> None:
    x = Value(1e17)
    (d,) = gradients(mg.logsumexp([x, x]), [x], create_graph=True)
    assert d.data == 1.0  # the softmax (1/2, 1/2); e^(x - out) would give 1 + 1 (PyTorch's double backward says 2.0)
    x.grad = 0.0
    mg.logsumexp([x, x]).backward()
    assert x.grad == 1.0
    x = Value(100.0)  # logsumexp([e^x]) is e^x: every derivative is e^100
    (d,) = gradients(mg.logsumexp([x.exp()]), [x], create_graph=True)
    (d2,) = gradients(d, [x], create_graph=True)
    (d3,) = gradients(d2, [x])
    assert d.data == d2.data == pytest.approx(math.exp(100.0), rel=1e-15)
    assert d3.data == pytest.approx(math.exp(100.0), rel=1e-15)
    t = torch.tensor(100.0, dtype=torch.float64, requires_grad=True)
    (td,) = torch.autograd.grad(torch.logsumexp(t.exp().reshape(1), 0), [t], create_graph=True)
    (td2,) = torch.autograd.grad(td, [t])
    assert d2.data == pytest.approx(td2.item(), rel=1e-15)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("exp", (-(10**400),), 0.0),
        ("exp", (10**400,), inf),
        ("sigmoid", (-(10**400),), 0.0),
        ("sigmoid", (10**400,), 1.0),
        ("sqrt", (10**400,), inf),
        ("sqrt", (-(10**400),), nan),
        ("log", (10**400,), inf),
        ("tanh", (10**400,), 1.0),
        ("tanh", (-(10**400),), -1.0),
        ("sin", (10**400,), nan),
        ("cos", (-(10**400),), nan),
        ("relu", (10**400,), inf),
        ("relu", (7,), 7.0),
        ("leaky_relu", (-(10**400), 0.5), -inf),
        ("leaky_relu", (-2, 1), -2.0),
    ],
)
def test_functions_on_integers_give_what_methods_give(name: str, args: tuple[int, ...], expected: float) -> None:
    """An integer too large for a float is ±inf, as an overflowing operation would be; every result is a float."""
    f = getattr(mg, name)
    out = f(*args)
    assert type(out) is float and same(out, expected), (name, args, out)
    node = f(*[Value(a) for a in args])
    assert same(node.data, expected)


# -- the rule kinds themselves ------------------------------------------------------------------------
def test_each_rule_kind_as_a_derivative_and_as_a_pullback() -> None:
    masked = ZeroWhere(lambda out, x: x <= 0, 1.0)
    assert as_function(masked)(0.0, -1.0) == 0.0 and as_function(masked)(2.0, 2.0) == 1.0
    assert pullback(masked)(inf, 0.0, -1.0) is None and pullback(masked)(3.0, 2.0, 2.0) == 3.0
    divides = Divides("x")
    assert as_function(divides)(0.0, 4.0) == 0.25 and as_function(divides)(0.0, 0.0) == inf
    assert pullback(divides)(1e-6, 0.0, 5e-324) == 1e-6 / 5e-324 and math.isnan(pullback(divides)(0.0, 0.0, 0.0))
    assert pullback("y")(2.0, 0.0, 3.0, 5.0) == 10.0 and pullback(-1.0)(2.0, 0.0, 3.0) == -2.0


def test_the_ops_that_mask_and_divide() -> None:
    rules = {name: op_row.derivatives for name, op_row in mg.engine.TABLE.items()}
    assert isinstance(rules["relu"][0], ZeroWhere) and isinstance(rules["pow"][0], ZeroWhere)
    assert isinstance(rules["leaky_relu"][1], ZeroWhere)
    assert rules["log"][0] == Divides("x") and rules["div"][0] == Divides("y") and isinstance(rules["sqrt"][0], Divides)
    assert not isinstance(rules["abs"][0], ZeroWhere)  # PyTorch multiplies by sign(x): inf * 0 is nan there


def test_defop_takes_masked_and_dividing_rules() -> None:
    try:
        step = mg.defop("hard_step", lambda x: 1.0 if x > 0 else 0.0, ZeroWhere(lambda out, x: True, 0.0))
        half_log = mg.defop("half_log", lambda x: 0.5 * math.log(x), Divides(lambda out, x: 2.0 * x))
        x = Value(-1.0)
        step(x).sqrt().backward()
        assert x.grad == 0.0  # sqrt's derivative at 0 is inf: hard_step passes nothing, not inf * 0
        x = Value(1e-320)
        (half_log(x) * 0.0).backward()
        assert x.grad == 0.0  # 0 / 2e-320, not 0 * (1 / 2e-320) = 0 * inf
        z = Value(4.0)
        (d,) = gradients(half_log(z), [z], create_graph=True)
        (d2,) = gradients(d, [z])
        assert d.data == 0.125 and d2.data == -1 / 32
    finally:
        for name in ("hard_step", "half_log"):
            for method in OPS.pop(name).methods:
                delattr(Value, method)
