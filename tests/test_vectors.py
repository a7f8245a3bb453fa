"""The vector building blocks (dot, matvec, softmax, rmsnorm, layernorm, nn.Embedding, cross_entropy over a
vocabulary) against PyTorch: values, first and second derivatives; their nodes, drawings and input checks."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pytest

import microgradnet as mg
from microgradnet import Value, draw_dot, gradients
from microgradnet.engine import AttentionHead, AttentionOutput, Dot, InvRMS, InvStd, LogSumExp, MatVecRow, Softmax
from microgradnet.engine.backward import interior_nodes
from microgradnet.losses import cross_entropy
from microgradnet.nn import Embedding
from microgradnet.testing import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
F = torch.nn.functional

N = 5  # entries of a vector in these tests
REL = 1e-12


def split(vs: list[Any], n: int = N) -> list[list[Any]]:
    return [vs[i : i + n] for i in range(0, len(vs), n)]


# Each block as a function of one flat list of numbers, for microgradnet (lists of Values) and for PyTorch
# (a 1-D tensor); each returns its outputs as a list. (name, ours, theirs, how many inputs)
def torch_softmax(t: Any) -> Any:
    return torch.softmax(t, 0)


def torch_rmsnorm(t: Any) -> Any:
    return F.rms_norm(t, (len(t),), eps=1e-5)


def torch_layernorm(t: Any) -> Any:
    return F.layer_norm(t, (len(t),), eps=1e-5)


def torch_cross_entropy(t: Any) -> Any:  # over a vocabulary of 27, the target 3
    return F.cross_entropy(t.reshape(1, -1), torch.tensor([3])).reshape(1)


D, T = 4, 3  # attention: a query and T keys and values of D entries, in one flat list


def ours_attention(v: list[Any]) -> list[Any]:
    return mg.attention(v[:D], split(v[D : D + T * D], D), split(v[D + T * D :], D))


def torch_attention(t: Any) -> Any:
    q, k, v = t[:D].reshape(1, D), t[D : D + T * D].reshape(T, D), t[D + T * D :].reshape(T, D)
    return F.scaled_dot_product_attention(q, k, v).reshape(D)


BLOCKS: list[tuple[str, Callable[[list[Any]], list[Any]], Callable[[Any], Any], int]] = [
    ("dot", lambda v: [mg.dot(v[:N], v[N:])], lambda t: torch.dot(t[:N], t[N:]).reshape(1), 2 * N),
    ("matvec", lambda v: mg.matvec(split(v[:-N]), v[-N:]), lambda t: torch.mv(t[:-N].reshape(3, N), t[-N:]), 4 * N),
    ("softmax", mg.softmax, torch_softmax, N),
    ("rmsnorm", mg.rmsnorm, torch_rmsnorm, N),
    ("layernorm", mg.layernorm, torch_layernorm, N),
    ("cross_entropy", lambda v: [cross_entropy(v, 3)], torch_cross_entropy, 27),
    ("attention", ours_attention, torch_attention, D + 2 * T * D),
]
IDS = [b[0] for b in BLOCKS]


def point(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-2.0, 2.0) for _ in range(n)]


def weights(k: int, seed: int) -> list[float]:
    """Random weights c for the scalar objective Σ c_k y_k of a block's outputs y."""
    rng = random.Random(seed + 1000)
    return [rng.uniform(-1.0, 1.0) for _ in range(k)]


@pytest.mark.parametrize(("name", "ours", "theirs", "n"), BLOCKS, ids=IDS)
@pytest.mark.parametrize("seed", range(3))
def test_values_and_first_derivatives_match_pytorch(name: str, ours: Any, theirs: Any, n: int, seed: int) -> None:
    xs = point(n, seed)
    vs = [Value(x) for x in xs]
    out = ours(vs)
    t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    expected = theirs(t)
    assert [y.data for y in out] == pytest.approx(expected.tolist(), rel=REL, abs=1e-15)
    c = weights(len(out), seed)
    mg.sum([y * ck for y, ck in zip(out, c)]).backward()
    (expected * torch.tensor(c, dtype=torch.float64)).sum().backward()
    assert [v.grad for v in vs] == pytest.approx(t.grad.tolist(), rel=1e-11, abs=1e-14)


@pytest.mark.parametrize(("name", "ours", "theirs", "n"), BLOCKS, ids=IDS)
def test_second_derivatives_match_pytorch(name: str, ours: Any, theirs: Any, n: int) -> None:
    xs = point(n, 11)
    vs = [Value(x) for x in xs]
    out = ours(vs)
    c = weights(len(out), 11)
    objective = mg.sum([y * ck for y, ck in zip(out, c)])
    first = gradients(objective, vs, create_graph=True)
    hessian = [[h.data for h in gradients(g, vs)] for g in first]
    ct = torch.tensor(c, dtype=torch.float64)
    expected = torch.autograd.functional.hessian(
        lambda t: (theirs(t) * ct).sum(), torch.tensor(xs, dtype=torch.float64)
    )
    for row, want in zip(hessian, expected.tolist()):
        assert row == pytest.approx(want, rel=1e-10, abs=1e-13)


@pytest.mark.parametrize(("name", "ours", "theirs", "n"), BLOCKS, ids=IDS)
def test_gradcheck_and_gradgradcheck(name: str, ours: Any, theirs: Any, n: int) -> None:
    c = weights(32, 5)
    f = lambda *vs: mg.sum([y * ck for y, ck in zip(ours(list(vs)), c)])  # noqa: E731
    assert gradcheck(f, point(n, 5))
    assert gradgradcheck(f, point(n, 5))


def test_extreme_and_special_entries_are_pytorchs() -> None:
    for xs in ([800.0, -800.0, 0.0], [1e-300, -1e-300, 0.0], [-math.inf, 0.0, 1.0], [3.0, 3.0, 3.0]):
        t = torch.tensor(xs, dtype=torch.float64)
        for ours, theirs in ((mg.softmax, torch_softmax), (mg.rmsnorm, torch_rmsnorm), (mg.layernorm, torch_layernorm)):
            want = theirs(t).tolist()
            got = [y.data for y in ours([Value(x) for x in xs])]
            assert got == pytest.approx(want, rel=1e-12, abs=1e-300, nan_ok=True), (ours.__name__, xs)
    assert all(math.isnan(y.data) for y in mg.softmax([Value(math.nan), Value(1.0)]))


def test_each_block_is_a_few_nodes() -> None:
    x = [Value(float(i)) for i in range(16)]
    w = [[Value(0.1 * (i - j)) for j in range(16)] for i in range(4)]
    d = mg.dot(x, x[::-1])
    assert type(d) is Dot and d._prev == (*x, *x[::-1]) and interior_nodes(d) == [d]
    rows = mg.matvec(w, x)
    assert [type(r) for r in rows] == [MatVecRow] * 4 and rows[2]._prev == (*w[2], *x) and rows[0]._arg is rows[3]._arg
    computed = mg.matvec([[wi * 1.0 for wi in w[0]]], x)  # weights that are not parameters: a dot node
    assert type(computed[0]) is Dot and computed[0].data == rows[0].data
    s = mg.softmax(x)
    assert {type(v) for v in s} == {Softmax} and type(s[0]._arg) is LogSumExp
    assert len(interior_nodes(mg.sum(s))) == 1 + 16 + 1  # the sum, the entries, one log-sum-exp
    r = mg.rmsnorm(x)
    assert type(r[0]._arg) is InvRMS and len(interior_nodes(mg.sum(r))) == 1 + 16 + 1
    n = mg.layernorm(x)
    assert len(interior_nodes(mg.sum(n))) == 1 + 2 * 16 + 3  # the sum; (x - μ)·r each; μ = Σ/n, and r
    assert type(n[0]._arg) is InvStd


def test_blocks_describe_themselves_and_draw() -> None:
    x, y = [Value(1.0), Value(2.0)], [Value(3.0), Value(-1.0)]
    info = mg.dot(x, y).describe()
    assert (info.op, info.details, info.roles, info.name) == ("Σ x·y", ("n = 2",), ("x0", "x1", "y0", "y1"), "dot")
    info = mg.matvec([x], y)[0].describe()  # parameters times inputs: the input row is not drawn
    assert (info.op, info.parents, info.roles, info.name) == ("Σ w·x", (*x, *y), ("w0", "w1", "x0", "x1"), "matvec")
    s = mg.softmax(x)
    info = s[0].describe()
    assert (info.op, info.parents, info.roles) == ("softmax", (x[0], s[0]._arg), ("x", "log Σ exp"))
    r = mg.rmsnorm(x, eps=1e-6)[0]._arg.describe()
    assert (r.op, r.details, r.name) == ("1/rms", ("n = 2, ε = 1e-06", "(mean x² + ε)^-½"), "inv_rms")
    ln = mg.layernorm(x)[0]._arg.describe()
    assert (ln.op, ln.details[0], ln.name) == ("1/std", "n = 2, ε = 1e-05", "inv_std")
    source = draw_dot(mg.sum([*mg.softmax(x), *mg.rmsnorm(y)])).source
    for text in ("softmax", "log Σ exp", "1/rms", "(mean x² + ε)^-½"):
        assert text in source


def test_plain_numbers_are_constants_and_no_grad_gives_leaves() -> None:
    x = [Value(1.0), 2.0]
    d = mg.dot(x, [3.0, Value(4.0)])
    assert d.data == 11.0 and len(d._prev) == 4
    d.backward()
    assert x[0].grad == 3.0
    with mg.no_grad():
        outs = [mg.dot(x, x), *mg.matvec([x], x), *mg.softmax(x), *mg.rmsnorm(x), *mg.layernorm(x)]
    assert all(type(v) is Value and not v._prev for v in outs)
    assert [v.data for v in outs[2:4]] == pytest.approx(
        torch.softmax(torch.tensor([1.0, 2.0], dtype=torch.float64), 0).tolist()
    )


def test_bad_input_is_refused_clearly() -> None:
    x = [Value(1.0), Value(2.0)]
    with pytest.raises(ValueError, match="dot: x has 2 entries but y has 1"):
        mg.dot(x, x[:1])
    with pytest.raises(ValueError, match="matvec: row 1 of W has 1 entries but x has 2"):
        mg.matvec([x, x[:1]], x)
    with pytest.raises(TypeError, match="softmax\\(x\\) must be a list of Values or numbers, got Value"):
        mg.softmax(x[0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"rmsnorm\(x\) must be a real number .* got str"):
        mg.rmsnorm([Value(1.0), "2"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="softmax: x is empty"):
        mg.softmax([])
    with pytest.raises(ValueError, match="layernorm\\(eps\\) must be a number >= 0"):
        mg.layernorm(x, eps=-1.0)


def test_embedding_rows_are_its_parameters_and_match_pytorch() -> None:
    emb = Embedding(27, 4, seed=0)
    assert repr(emb) == "Embedding(27, 4)" and len(emb.parameters()) == 27 * 4
    assert emb(3) == emb.weight[3] and emb(3) is not emb.weight[3]  # the parameters themselves, in a new list
    assert [p.data for p in Embedding(27, 4, seed=0).parameters()] == [p.data for p in emb.parameters()]
    tokens = [3, 0, 3, 26]
    rows = emb(tokens)
    c = weights(16, 0)
    mg.sum([v * ck for v, ck in zip([v for row in rows for v in row], c)]).backward()
    table = torch.tensor([[p.data for p in row] for row in emb.weight], dtype=torch.float64, requires_grad=True)
    out = F.embedding(torch.tensor(tokens), table)
    assert [[v.data for v in row] for row in rows] == out.tolist()
    (out.flatten() * torch.tensor(c, dtype=torch.float64)).sum().backward()
    assert [p.grad for row in emb.weight for p in row] == pytest.approx(table.grad.flatten().tolist(), rel=1e-15)
    values = [p.data for p in Embedding(200, 50, seed=1).parameters()]
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    assert abs(mean) < 0.03 and 0.97 < std < 1.03  # N(0, 1), as PyTorch's
    assert 0.45 < math.sqrt(sum(p.data**2 for p in Embedding(100, 50, std=0.5, seed=2).parameters()) / 5000) < 0.55


def test_embedding_is_saved_and_loaded(tmp_path: Any) -> None:
    emb = Embedding(5, 3, seed=4)
    emb.save(tmp_path / "emb.json")
    back = mg.nn.load(tmp_path / "emb.json")
    assert isinstance(back, Embedding) and back.state_dict() == emb.state_dict()
    assert next(iter(emb.state_dict())) == "weight.0.0"


def test_embedding_refuses_bad_indices_and_sizes() -> None:
    emb = Embedding(3, 2, seed=0)
    with pytest.raises(IndexError, match=r"Embedding\(3, 2\): index 3 is out of range 0..2"):
        emb(3)
    with pytest.raises(IndexError, match="index -1 is out of range"):
        emb(-1)
    with pytest.raises(TypeError, match=r"takes an int index .* got float"):
        emb(1.0)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="got bool"):
        emb(True)
    with pytest.raises(ValueError, match="must be a positive int"):
        Embedding(0, 2)
    with pytest.raises(ValueError, match="Embedding\\(std\\) must be a positive number"):
        Embedding(2, 2, std=0.0)


def test_an_attention_head_is_d_nodes_over_one_shared_head_node() -> None:
    q, keys, values = (
        [Value(0.5 * i) for i in range(3)],
        [[Value(0.1 * (t - i)) for i in range(3)] for t in range(4)],
        [[Value(0.2 * t * i) for i in range(3)] for t in range(4)],
    )
    out = mg.attention(q, keys, values)
    assert [type(o) for o in out] == [AttentionOutput] * 3 and type(out[0]._p) is AttentionHead
    assert out[0]._p is out[2]._p
    assert out[1]._prev == (*q, *[k for key in keys for k in key], *[v[1] for v in values])
    assert len(interior_nodes(mg.sum(out))) == 1 + 3 + 1  # the sum, the outputs, their head
    info = out[1].describe()
    assert (info.op, info.details[0], info.name) == ("attention", "T = 4, d = 3", "attention")
    assert info.roles[:4] == ("q0", "q1", "q2", "k0_0") and info.roles[-1] == "v3_1"
    assert "attention" in draw_dot(mg.sum(out)).source and "attention head" not in draw_dot(mg.sum(out)).source


def test_attention_backward_twice_and_through_some_outputs() -> None:
    xs = point(D + 2 * T * D, 3)
    vs = [Value(x) for x in xs]
    out = ours_attention(vs)
    t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    expected = torch_attention(t)
    out[1].backward()
    first = [v.grad for v in vs]
    out[1].backward()  # leaves accumulate, exactly as the first pass
    assert [v.grad for v in vs] == [2 * g for g in first]
    for v in vs:
        v.grad = 0.0
    (out[2] * 3.0).backward()  # the head passes on only what reaches it in this pass: nothing of out[1]
    expected[2].backward()
    assert [v.grad for v in vs] == pytest.approx([3 * g for g in t.grad.tolist()], rel=1e-11, abs=1e-14)
    assert [v.grad for v in vs[:D]] != [0.0] * D


def test_attention_scale_no_grad_and_bad_input() -> None:
    q, k, v = [Value(1.0), Value(2.0)], [[Value(0.5), Value(-1.0)], [1.0, 2.0]], [[Value(3.0), 1.0], [2.0, 4.0]]
    tq, tk, tv = (
        torch.tensor([[getattr(x, "data", x) for x in row] for row in m], dtype=torch.float64) for m in ([q], k, v)
    )
    got = [o.data for o in mg.attention(q, k, v, scale=0.3)]
    assert got == pytest.approx(F.scaled_dot_product_attention(tq, tk, tv, scale=0.3).reshape(2).tolist(), rel=1e-14)
    with mg.no_grad():
        outs = mg.attention(q, k, v)
    assert all(type(o) is Value and not o._prev for o in outs)
    with pytest.raises(ValueError, match="as many values as keys, at least one; got 2 keys, 1 values"):
        mg.attention(q, k, v[:1])
    with pytest.raises(ValueError, match="attention: key 1 has 1 entries and value 1 2; q has 2"):
        mg.attention(q, [k[0], k[1][:1]], v)
    with pytest.raises(TypeError, match="attention\\(q\\) must be a list of Values or numbers, got str"):
        mg.attention("ab", k, v)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="attention\\(scale\\)"):
        mg.attention(q, k, v, scale="big")  # type: ignore[arg-type]
