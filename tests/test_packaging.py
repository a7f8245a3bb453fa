"""The package as PyPI and a user get it: the wheel's metadata, license, extras and README, built for real."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
RAW = "https://raw.githubusercontent.com/microgradnet/microgradnet/main/"
USER_EXTRAS = {"viz", "progress", "plot", "datasets", "mnist", "testing", "notebook"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel, built from this checkout with the build backend that pyproject.toml names."""
    for module in ("build", "hatchling", "hatch_fancy_pypi_readme"):
        pytest.importorskip(module, reason=f"building the wheel needs {module}: pip install -e '.[all]' --group dev")
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, f"the wheel does not build:\n{built.stdout}\n{built.stderr}"
    (path,) = out.glob("microgradnet-*-py3-none-any.whl")
    return zipfile.ZipFile(path)


@pytest.fixture(scope="module")
def metadata(wheel: zipfile.ZipFile) -> Message:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(wheel.read(name).decode())


def test_the_wheel_carries_the_license(wheel: zipfile.ZipFile, metadata: Message) -> None:
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    (license_file,) = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
    text = wheel.read(license_file).decode()
    assert text == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_the_wheel_holds_the_package_and_nothing_else(wheel: zipfile.ZipFile) -> None:
    tops = {n.split("/")[0] for n in wheel.namelist()}
    assert tops == {"microgradnet", next(t for t in tops if t.endswith(".dist-info"))}
    assert "microgradnet/py.typed" in wheel.namelist()
    sources = {str(p.relative_to(ROOT)) for p in (ROOT / "microgradnet").rglob("*.py")}
    assert sources <= set(wheel.namelist())


def test_metadata_names_the_project(metadata: Message) -> None:
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL"))
    assert set(urls) == {"Homepage", "Documentation", "Source", "Issues"}
    assert urls["Source"] == "https://github.com/microgradnet/microgradnet"
    assert metadata["Author"] and "autograd" in metadata["Keywords"].split(",")
    classifiers = metadata.get_all("Classifier")
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    minimum = re.fullmatch(r">=3\.(\d+)", metadata["Requires-Python"])
    assert minimum, metadata["Requires-Python"]
    versions = sorted(int(c.rsplit(".", 1)[1]) for c in classifiers if re.fullmatch(r".*:: 3\.\d+", c))
    assert versions[0] == int(minimum.group(1)) and versions == list(range(versions[0], versions[-1] + 1))


def test_only_what_a_user_wants_is_an_extra(metadata: Message) -> None:
    # not dev, not bench; torch and onnx (graduating to PyTorch) are offered apart from all
    assert set(metadata.get_all("Provides-Extra")) == USER_EXTRAS | {"all", "torch", "onnx"}
    requires = metadata.get_all("Requires-Dist")
    by_extra: dict[str, set[str]] = {}
    for r in requires:
        req, extra = re.fullmatch(r"(.+); extra == '(.+)'", r).groups()  # type: ignore[union-attr]
        by_extra.setdefault(extra, set()).add(req)
    assert by_extra["all"] == set().union(*(by_extra[e] for e in USER_EXTRAS))
    assert {r.split(">")[0] for r in by_extra["notebook"]} == {"ipywidgets", "tqdm"}  # tqdm's widget needs both
    assert not any("micrograd" in r.replace("microgradnet", "") or "pytest" in r for r in requires)


def test_the_description_is_the_readme_with_pictures_pypi_can_fetch(metadata: Message) -> None:
    assert metadata["Description-Content-Type"] == "text/markdown"
    description = metadata.get_payload()
    assert isinstance(description, str)
    pictures = re.findall(r'src="([^"]+)"|!\[[^]]*\]\(([^)]+)\)', README)
    local = [a or b for a, b in pictures if not (a or b).startswith("http")]
    assert local, "README.md shows no picture of its own"
    for path in local:
        assert (ROOT / path).is_file(), f"README.md shows {path}, which does not exist"
        assert RAW + path in description and f'"{path}"' not in description
    assert description.replace(RAW, "") == README


def test_the_readme_test_command_is_the_one_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    (pattern,) = re.findall(r"test_cmd=\$\(grep -m1 -E '([^']+)' README.md\)", ci)
    (line,) = [line for line in README.splitlines() if re.match(pattern, line)]
    assert line == 'pip install -e ".[all]" --group dev && pytest'
