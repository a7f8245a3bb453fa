"""state_dict, save and load: exact round trips, atomic writes, and clear errors for bad files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from microgradnet import Value
from microgradnet.nn import MLP, Layer, ModelFileError, Module, Neuron, load

POINTS = [[0.1, 0.2], [-1.5, 3.25], [1e-3, -7.0]]


def outputs(model: Module, points: list[list[float]] = POINTS) -> list[list[float]]:
    out = [model(p) for p in points]  # type: ignore[operator]
    return [[v.data for v in (o if isinstance(o, list) else [o])] for o in out]


def test_state_dict_round_trip() -> None:
    a, b = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=1)
    state = a.state_dict()
    assert list(state) == [name for name, _ in a.named_parameters()]
    assert all(type(v) is float for v in state.values())
    b.load_state_dict(state)
    assert b.state_dict() == state and outputs(b) == outputs(a)


def test_load_state_dict_checks_everything_before_changing_anything() -> None:
    model = MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    missing = dict(before)
    del missing["layers.0.neurons.1.w.0"]
    with pytest.raises(ModelFileError, match=r"missing parameter 'layers.0.neurons.1.w.0' \(1 of 9 missing\)"):
        model.load_state_dict(missing)
    with pytest.raises(ModelFileError, match=r"unexpected parameter 'layers.2.neurons.0.b'"):
        model.load_state_dict({**before, "layers.2.neurons.0.b": 0.0})
    bad = {**before, "layers.1.neurons.0.b": "0.5"}
    bad["layers.0.neurons.0.w.0"] = 123.0  # would be set first, if loading were not all-or-nothing
    with pytest.raises(ModelFileError, match=r"parameter 'layers.1.neurons.0.b' must be a finite number, got '0.5'"):
        model.load_state_dict(bad)
    with pytest.raises(ModelFileError, match="must be a finite number, got nan"):
        model.load_state_dict({**before, "layers.1.neurons.0.b": float("nan")})
    with pytest.raises(ModelFileError, match="must be a finite number, got True"):
        model.load_state_dict({**before, "layers.1.neurons.0.b": True})
    with pytest.raises(TypeError, match="must be a mapping"):
        model.load_state_dict([1.0])  # type: ignore[arg-type]
    assert model.state_dict() == before


def test_save_and_load_reproduce_predictions_exactly(tmp_path: Path) -> None:
    model = MLP(2, [8, 8, 3], activation="tanh", seed=0)
    for p in model.parameters():  # numbers that need all 17 digits
        p.data = p.data / 3.0 + 1e-17
    path = tmp_path / "model.json"
    model.save(path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "microgradnet.module" and doc["version"] == 1 and doc["module"] == "MLP"
    assert doc["config"] == {"nin": 2, "nouts": [8, 8, 3], "activation": "tanh", "output_activation": "linear"}
    assert doc["parameters"] == model.state_dict()

    fresh = MLP(2, [8, 8, 3], activation="tanh", seed=99)
    assert fresh.load(path) is fresh
    assert fresh.state_dict() == model.state_dict()
    rebuilt = load(str(path))
    assert isinstance(rebuilt, MLP) and repr(rebuilt) == repr(model)
    assert outputs(rebuilt) == outputs(fresh) == outputs(model)


@pytest.mark.parametrize("module", [Neuron(3, activation="sigmoid", seed=0), Layer(3, 2, nonlin=False, seed=0)])
def test_load_rebuilds_neurons_and_layers(tmp_path: Path, module: Module) -> None:
    module.save(tmp_path / "m.json")
    rebuilt = load(tmp_path / "m.json")
    assert type(rebuilt) is type(module) and repr(rebuilt) == repr(module)
    assert rebuilt.state_dict() == module.state_dict()


def test_a_module_of_your_own_loads_into_an_instance(tmp_path: Path) -> None:
    class Affine(Module):
        def __init__(self) -> None:
            self.scale, self.shift = Value(2.0), Value(-1.0)

    a = Affine()
    a.scale.data = 3.5
    a.save(tmp_path / "affine.json")
    b = Affine().load(tmp_path / "affine.json")
    assert b.state_dict() == {"scale": 3.5, "shift": -1.0}
    with pytest.raises(ModelFileError, match=r"key 'module' is 'Affine', which load\(\) cannot rebuild"):
        load(tmp_path / "affine.json")


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "model.json"
    MLP(2, [2, 1], seed=0).save(path)
    before = path.read_text()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        MLP(2, [2, 1], seed=1).save(path)
    assert path.read_text() == before  # the old file is intact
    assert os.listdir(tmp_path) == ["model.json"]  # and the temporary file is gone


def test_save_refuses_non_finite_parameters(tmp_path: Path) -> None:
    model = MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[1].b.data = float("inf")
    with pytest.raises(ValueError, match=r"cannot save: parameter 'layers.0.neurons.1.b' is inf"):
        model.save(tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


def test_truncated_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(ModelFileError, match=r"m.json: not a valid model file \(broken or truncated JSON at line"):
        MLP(2, [3, 1]).load(path)
    with pytest.raises(ModelFileError, match="broken or truncated JSON"):
        load(path)


W = "layers.0.neurons.0.w.1"


def set_w(value: object) -> object:
    return lambda d: d["parameters"].update({W: value})


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(config={**d["config"], "nouts": [4, 1]}),
         r"key 'config.nouts' is \[4, 1\], but this model has \[3, 1\]"),
        (lambda d: d.update(module="Layer"), r"key 'module' is 'Layer', but this model is a MLP"),
        (lambda d: d["parameters"].pop("layers.1.neurons.0.b"), r"missing parameter 'layers.1.neurons.0.b'"),
        (lambda d: d["parameters"].update(extra=1.0), r"unexpected parameter 'extra'"),
        (set_w([1.0]), rf"parameter '{W}' must be a finite number, got \[1.0\]"),
        (set_w(None), rf"parameter '{W}' must be a finite number, got None"),
        (set_w(float("inf")), rf"parameter '{W}' must be a finite number, got inf"),
        (set_w(float("nan")), rf"parameter '{W}' must be a finite number, got nan"),
        (lambda d: d.update(version=2), r"key 'version' is 2; this microgradnet reads 1"),
        (lambda d: d.update(parameters=[1, 2]), r"key 'parameters' must be an object, got list"),
        (lambda d: d.update(config="MLP"), r"key 'config' must be an object or null, got str"),
    ],
)  # fmt: skip
def test_mismatched_or_damaged_files_name_the_key(tmp_path: Path, change: object, message: str) -> None:
    path = tmp_path / "m.json"
    model = MLP(2, [3, 1], seed=0)
    model.save(path)
    doc = json.loads(path.read_text())
    change(doc)  # type: ignore[operator]
    path.write_text(json.dumps(doc))
    before = model.state_dict()
    with pytest.raises(ModelFileError, match=message):
        model.load(path)
    assert model.state_dict() == before


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"weights": [1, 2, 3]}', r"not a microgradnet model file \(key 'format' is None"),
        ("[1, 2, 3]", r"not a microgradnet model file \(key 'format' is 'list'"),
        ('{"format": "keras"}', r"key 'format' is 'keras', expected 'microgradnet.module'"),
        ("", "broken or truncated JSON at line 1, column 1"),
        ('{"format": "microgradnet.module", "version": 1, "module": "MLP", "config": null, "parameters": {"a": NaN}}',
         r"parameter 'a' must be a finite number, got nan"),
        ('{"format": "microgradnet.module", "version": 1, "module": "MLP", "config": null, "parameters": {"b": 1e400}}',
         r"parameter 'b' must be a finite number, got inf"),
    ],
)  # fmt: skip
def test_foreign_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "other.json"
    path.write_text(text)
    with pytest.raises(ModelFileError, match=message):
        MLP(2, [3, 1]).load(path)


def test_binary_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "weights.pkl"
    path.write_bytes(b"\x80\x04\x95\xff\xfe")
    with pytest.raises(ModelFileError, match="not UTF-8 text"):
        load(path)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nowhere.json")


def test_load_rejects_a_config_that_cannot_be_built(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    doc = json.loads(path.read_text())
    doc["config"]["activation"] = "swish"
    path.write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match="key 'config' does not describe a MLP: activation must be one of"):
        load(path)


# -- hostile files: each a ModelFileError naming the file, found before anything is built ------------------
HEAD = '{"format": "microgradnet.module", "version": 1, "module": "MLP", '
CONFIG = '"config": {"nin": 2, "nouts": [1], "activation": "relu", "output_activation": "linear"}, '
PARAMS = '"parameters": {"layers.0.neurons.0.w.0": 0.5, "layers.0.neurons.0.w.1": -0.5, "layers.0.neurons.0.b": %s}}'


@pytest.mark.parametrize(
    "text, message",
    [
        (HEAD + CONFIG + PARAMS % ("1" * 400), r"parameter 'layers.0.neurons.0.b' must be a finite number, got an "
         r"integer of 400 digits"),
        (HEAD + CONFIG + PARAMS % ("1" * 5000), r"not a valid model file \(Exceeds the limit \(4300 digits\)"),
        ("[" * 100_000, r"not a valid model file \(its JSON is nested too deeply\)"),
        ('{"format": "microgradnet.module", "version": true}', r"key 'version' is True; this microgradnet reads 1"),
        ('{"format": "microgradnet.module", "version": 1.0}', r"key 'version' is 1.0; this microgradnet reads 1"),
        (HEAD + '"module": "Layer", ' + CONFIG + PARAMS % "0", r"key 'module' is given twice"),
        (HEAD + CONFIG + PARAMS.replace('"layers.0.neurons.0.w.1"', '"layers.0.neurons.0.w.0"') % "0",
         r"key 'layers.0.neurons.0.w.0' is given twice"),
        (HEAD + CONFIG.replace('"nouts": [1]', '"nouts": [100000000]') + PARAMS % "0",
         r"key 'config' describes a MLP of 300000000 parameters, but the file holds 3"),
        (HEAD + CONFIG.replace('"nin": 2', '"nin": 100000000') + PARAMS % "0",
         r"key 'config' describes a MLP of 100000001 parameters, but the file holds 3"),
        (HEAD + CONFIG.replace('"nin": 2', '"nin": true') + PARAMS % "0",
         r"key 'config' does not describe a MLP: MLP\(nin\) must be a positive int, got bool"),
    ],
)  # fmt: skip
def test_hostile_files_get_a_clear_error_before_anything_is_built(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(text)
    with pytest.raises(ModelFileError, match=message) as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}: ")
    with pytest.raises(ModelFileError, match=message if "config" not in message else "hostile.json"):
        MLP(2, [1]).load(path)


def test_a_200_byte_file_cannot_ask_for_a_huge_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.json"
    path.write_text('{"format": "microgradnet.module", "version": 1, "module": "Layer", '
                    '"config": {"nin": 100000000, "nout": 1, "activation": "relu"}, "parameters": {}}')  # fmt: skip
    assert path.stat().st_size < 200
    built: list[object] = []
    monkeypatch.setattr(Neuron, "__init__", lambda self, *a, **k: built.append(a))  # nothing may be built
    with pytest.raises(ModelFileError, match="describes a Layer of 100000001 parameters, but the file holds 0"):
        load(path)
    assert built == []


def test_save_keeps_the_mode_and_writes_through_a_link(tmp_path: Path) -> None:
    """model.save goes through files.write_atomic: an existing file's mode is kept, a link's target is written."""
    target = tmp_path / "model.json"
    target.write_text("old")
    target.chmod(0o644)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    model = MLP(2, [1], seed=0)
    model.save(link)
    assert link.is_symlink() and (target.stat().st_mode & 0o777) == 0o644
    assert load(link).state_dict() == model.state_dict()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "model.json"]  # no temporary file left
