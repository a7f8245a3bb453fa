"""`microgradnet train`: a small run writes its pictures and a loadable model; bad arguments exit with code 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from microgradnet import nn
from microgradnet.cli import main
from microgradnet.datasets import make_xor, train_test_split
from microgradnet.training import accuracy

PNG = b"\x89PNG\r\n\x1a\n"


def run(argv: list[str]) -> int:
    """main(argv)'s exit code, whether it returns it or argparse exits with it."""
    try:
        return main(argv)
    except SystemExit as e:
        return int(e.code or 0)


def test_train_writes_pictures_and_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "run"
    argv = ["train", "--dataset", "xor", "--hidden", "4", "--epochs", "3", "--lr", "0.05", "--seed", "1"]
    assert run([*argv, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "xor: the XOR truth table with noise, 200 points (150 to train on, 50 to test)" in text
    assert "model: MLP of [Layer of [4 × ReLUNeuron(2)], Layer of [LinearNeuron(4)]] (17 parameters)" in text
    assert "trained 3 epochs in" in text and "train accuracy" in text and "test accuracy" in text
    assert sorted(p.name for p in out.iterdir()) == ["decision_boundary.png", "loss.png", "model.json"]
    assert (out / "loss.png").read_bytes().startswith(PNG)
    assert (out / "decision_boundary.png").read_bytes().startswith(PNG)
    for name in ("loss.png", "decision_boundary.png"):  # 150 dpi: the pHYs chunk's pixels per metre
        png = (out / name).read_bytes()
        assert int.from_bytes(png[png.index(b"pHYs") + 4 :][:4], "big") == round(150 / 0.0254)
    model = nn.load(out / "model.json")
    assert json.loads((out / "model.json").read_text())["config"]["nouts"] == [4, 1]
    # the printed accuracies are the saved model's
    X, y = make_xor(200, noise=0.15, seed=1)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.25, stratify=True, seed=1)
    assert (
        f"train accuracy {accuracy(model, X_train, y_train):.1%}, test accuracy {accuracy(model, X_test, y_test):.1%}"
        in text
    )


def test_train_is_reproducible(tmp_path: Path) -> None:
    argv = ["train", "--dataset", "moons", "--hidden", "3", "--epochs", "1", "--quiet"]
    assert run([*argv, "--out", str(tmp_path / "a")]) == 0
    assert run([*argv, "--out", str(tmp_path / "b")]) == 0
    assert (tmp_path / "a" / "model.json").read_text() == (tmp_path / "b" / "model.json").read_text()


def test_quiet_hides_the_progress_bar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    argv = ["train", "--dataset", "circles", "--hidden", "2", "--epochs", "1", "--out", str(tmp_path)]
    assert run(argv) == 0
    assert "epoch 1/1" in capsys.readouterr().err
    assert run([*argv, "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_multiclass_digits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    argv = ["train", "--dataset", "digits", "--hidden", "4", "--epochs", "1", "--batch-size", "256", "-q"]
    assert run([*argv, "--out", str(tmp_path)]) == 0
    assert "model: MLP of [Layer of [4 × ReLUNeuron(64)], Layer of [10 × LinearNeuron(4)]]" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.png", "model.json"]  # 64-D: no decision boundary


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--hidden", "16,x"],
         "argument --hidden: expected positive integers separated by commas, like 16,16; got '16,x'"),
        (["--hidden", "0"], "argument --hidden: expected positive integers"),
        (["--hidden", ""], "argument --hidden: expected positive integers"),
        (["--epochs", "0"], "argument --epochs: expected a positive integer, got '0'"),
        (["--epochs", "ten"], "argument --epochs: expected a positive integer, got 'ten'"),
        (["--lr", "-1"], "argument --lr: expected a positive finite number, got '-1'"),
        (["--lr", "nan"], "argument --lr: expected a positive finite number, got 'nan'"),
        (["--lr", "fast"], "argument --lr: expected a positive number, got 'fast'"),
        (["--dataset", "cifar"], "argument --dataset: invalid choice: 'cifar'"),
        (["--seed", "1.5"], "argument --seed: invalid int value: '1.5'"),
        (["--activation", "gelu"], "argument --activation: invalid choice: 'gelu'"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_with_code_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["train", *argv]) == 2
    captured = capsys.readouterr()
    assert "microgradnet train: error: " + message in captured.err and captured.out == ""


def test_out_must_not_be_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "taken"
    file.write_text("")
    assert run(["train", "--out", str(file)]) == 2
    assert f"microgradnet train: error: --out '{file}' is a file, not a directory" in capsys.readouterr().err


def test_help_lists_train(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    assert "train" in capsys.readouterr().out
    assert run(["train", "--help"]) == 0
    usage = capsys.readouterr().out
    for option in (
        "--dataset",
        "--hidden",
        "--epochs",
        "--lr",
        "--seed",
        "--out",
        "moons,circles,spirals,xor,digits,mnist",
        "--data",
    ):
        assert option in usage


def test_without_matplotlib_the_model_is_still_saved(
    tmp_path: Path, hide_package: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    hide_package("matplotlib")
    assert run(["train", "--hidden", "2", "--epochs", "1", "-q", "--out", str(tmp_path)]) == 0
    assert 'no pictures: they need matplotlib (pip install "microgradnet[plot]")' in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_digits_without_scikit_learn_says_which_extra(
    tmp_path: Path, hide_package: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    hide_package("sklearn")
    assert run(["train", "--dataset", "digits", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("microgradnet train: error: load_digits needs scikit-learn")
    assert 'pip install "microgradnet[datasets]"' in err and list(tmp_path.iterdir()) == []


def test_a_diverging_run_says_at_which_epoch_and_keeps_its_pictures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "run"
    assert run(["train", "--lr", "1e300", "--hidden", "4", "--epochs", "5", "-q", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "microgradnet train: error: training diverged: the loss stopped being finite at epoch 1 of 5 (nan); "
        "no model saved, try a smaller --lr\n"
    )
    assert [p.name for p in out.iterdir()] == ["loss.png"]  # no model with nan weights, no boundary of one
    assert (out / "loss.png").read_bytes().startswith(PNG)


def test_a_diverging_run_without_matplotlib_still_exits_with_code_2(
    tmp_path: Path, hide_package: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    hide_package("matplotlib")
    assert run(["train", "--lr", "1e300", "--hidden", "2", "--epochs", "2", "-q", "--out", str(tmp_path)]) == 2
    assert "training diverged: the loss stopped being finite at epoch 1 of 2" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "out, message",
    [
        ("", "--out must name a directory, got ''"),
        ("{tmp}/taken/sub", "cannot write to --out '{tmp}/taken/sub': "),
    ],
)
def test_out_is_checked_before_training(
    out: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").write_text("")
    monkeypatch.setattr("microgradnet.cli.train.fit", lambda *a, **k: pytest.fail("trained before checking --out"))
    assert run(["train", "--out", out.format(tmp=tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("microgradnet train: error: " + message.format(tmp=tmp_path))
    assert captured.err.count("\n") == 1 and captured.out == ""


def test_an_unwritable_out_is_refused_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    if os.access(locked, os.W_OK):
        pytest.skip("permissions do not apply (running as root)")
    monkeypatch.setattr("microgradnet.cli.train.fit", lambda *a, **k: pytest.fail("trained before checking --out"))
    assert run(["train", "--out", str(locked)]) == 2
    assert capsys.readouterr().err == (
        f"microgradnet train: error: cannot write to --out '{locked}': Permission denied\n"
    )


def test_an_out_where_nothing_can_be_written_is_refused_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The probe file written into --out fails (as on a read-only file system, or for a user without rights)."""
    import tempfile

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr("microgradnet.cli.train.fit", lambda *a, **k: pytest.fail("trained before checking --out"))
    assert run(["train", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"microgradnet train: error: cannot write to --out '{tmp_path}': Permission denied\n"
    )


def test_a_huge_network_is_refused_before_it_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("microgradnet.cli.train.MLP", lambda *a, **k: pytest.fail("built the network"))
    assert run(["train", "--hidden", "100000000", "--out", str(tmp_path / "run")]) == 2
    assert capsys.readouterr().err == (
        "microgradnet train: error: --hidden 100000000 makes a network of 400,000,001 parameters, more than "
        "1,000,000: pure Python would take hours over it; choose smaller hidden layers\n"
    )
    assert list(tmp_path.iterdir()) == []  # nothing made either
