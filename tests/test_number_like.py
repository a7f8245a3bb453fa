"""A Value behaves like a number where Python asks for one (format, round, .item()), and nowhere else."""

from __future__ import annotations

import builtins
import importlib
import math
import pkgutil

import pytest

import microgradnet
from microgradnet import Value
from microgradnet.engine import Sum

NUMBERS = [2.0 / 3.0, -1234.5678, 0.0, -0.0, 1e-300, 6.02e23, math.inf, -math.inf, math.nan]
SPECS = [".4f", ".2e", "g", ".3g", ">12.3f", "<10", "+.1f", ",.2f", ".1%", "010.4f", "_"]


@pytest.mark.parametrize("x", NUMBERS)
@pytest.mark.parametrize("spec", SPECS)
def test_format_spec_formats_the_number(x: float, spec: str) -> None:
    v = Value(x)
    assert format(v, spec) == format(x, spec)
    assert f"loss {v:{spec}}" == f"loss {x:{spec}}"


def test_format_matches_a_pytorch_scalar_tensor() -> None:
    torch = pytest.importorskip("torch")
    for x in NUMBERS:
        t = torch.tensor(x, dtype=torch.float64)
        for spec in (".4f", ".2e", "g", ">12.3f"):
            assert f"{Value(x):{spec}}" == f"{t:{spec}}"


def test_format_without_a_spec_is_the_repr_as_print_shows_it() -> None:
    v = Value(0.5, label="w")
    assert f"{v}" == str(v) == repr(v) == "Value(data=0.5, grad=0.0, label='w')"
    assert f"{v!r}" == repr(v)


def test_a_spec_that_does_not_suit_a_float_says_so() -> None:
    with pytest.raises(ValueError, match=r"format spec 'd' does not apply to a Value, whose number is a float \(2.0\)"):
        f"{Value(2):d}"


def test_round_gives_the_rounded_number_as_round_of_a_float() -> None:
    for x in [2.0 / 3.0, -1234.5678, 2.5, 3.5, -0.5, 1e-300, 123456.789]:
        v = Value(x)
        assert round(v, 2) == round(x, 2) and type(round(v, 2)) is float
        assert round(v, -2) == round(x, -2)
        assert round(v) == round(x) and type(round(v)) is int  # banker's rounding, as Python's
    assert math.isnan(round(Value(math.nan), 3)) and round(Value(math.inf), 1) == math.inf
    with pytest.raises(ValueError, match="cannot convert float NaN to integer"):
        round(Value(math.nan))  # as round(float('nan'))


def test_item_is_the_number_as_in_pytorch() -> None:
    v = Value(3) * Value(0.5)
    assert v.item() == 1.5 and type(v.item()) is float
    torch = pytest.importorskip("torch")
    assert Value(1 / 3).item() == torch.tensor(1 / 3, dtype=torch.float64).item()


def test_format_round_and_item_leave_the_graph_unchanged() -> None:
    a = Value(2.0)
    y = a * a
    assert (f"{y:.2f}", round(y, 1), y.item()) == ("4.00", 4.0, 4.0)
    y.backward()
    assert a.grad == 4.0 and y.parents == (a, a)


def test_no_float_conversion_so_math_functions_do_not_silently_leave_the_graph() -> None:
    v = Value(1.0)
    with pytest.raises(TypeError):
        math.tanh(v)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        float(v)  # type: ignore[arg-type]
    assert not hasattr(Value, "__float__") and not hasattr(Value, "__int__")


# -- star imports keep Python's builtins -------------------------------------------------------------
def public_modules() -> list[str]:
    """microgradnet and every module under it but the command line (which users do not import)."""
    names = ["microgradnet"]
    for info in pkgutil.walk_packages(microgradnet.__path__, "microgradnet."):
        if ".cli" not in info.name and not info.name.endswith("__main__"):
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", public_modules())
def test_no_module_exports_a_builtins_name(name: str) -> None:
    module = importlib.import_module(name)
    shadowing = [n for n in getattr(module, "__all__", ()) if hasattr(builtins, n)]
    assert shadowing == [], f"`from {name} import *` would replace the builtins {shadowing}"


def test_star_import_keeps_the_builtin_sum_and_micrograds_demo_counts_accuracy() -> None:
    namespace: dict[str, object] = {}
    exec("from microgradnet import *", namespace)
    assert "sum" not in namespace and "Value" in namespace and "tanh" in namespace
    # micrograd's demo, after `from microgradnet import *`: accuracy is a list of bools
    exec(
        "scores = [Value(0.5), Value(-2.0), Value(3.0)]\n"
        "accuracy = [(yi > 0) == (s.data > 0) for yi, s in zip([1, -1, -1], scores)]\n"
        "result = sum(accuracy) / len(accuracy)\n",
        namespace,
    )
    assert namespace["result"] == 2 / 3


def test_the_fused_sum_stays_reachable_by_its_module() -> None:
    from microgradnet import sum as fused_sum
    from microgradnet.engine import sum as engine_sum

    assert microgradnet.sum is fused_sum is engine_sum
    total = microgradnet.sum([Value(1.0), Value(2.0), Value(3.5)])
    assert type(total) is Sum and total.data == 6.5
