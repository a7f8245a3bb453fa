"""The documentation site, built: every section and module is there, nothing is fetched from elsewhere, and
its pages work in a real browser (Chromium, driven by Selenium).

CI builds the site with the tutorials executed (`mkdocs build --strict`) and points MICROGRADNET_DOCS_SITE
at it. Without that variable the site is built here, the tutorials left unexecuted, when the `docs` group
is installed (pip install -e ".[all]" --group docs); otherwise these tests are skipped.
"""

from __future__ import annotations

import functools
import http.server
import importlib
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest

import microgradnet

ROOT = Path(__file__).resolve().parents[1]
NOT_API = {"cli", "engine"}
MORE_API = ["microgradnet.engine.extend", "microgradnet.testing.strategies"]


@dataclass
class Site:
    path: Path
    executed: bool  # whether the tutorials ran when it was built (they show their outputs)

    def page(self, url: str) -> str:
        return (self.path / url / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    given = os.environ.get("MICROGRADNET_DOCS_SITE")
    if given:
        return Site(Path(given), executed=True)
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "mkdocs_jupyter", "latex2mathml"):
        pytest.importorskip(module, reason=f"the site needs {module}: pip install -e '.[all]' --group docs")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "MICROGRADNET_DOCS_EXECUTE": "0", "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                           cwd=ROOT, env=env, capture_output=True, text=True)  # fmt: skip
    assert built.returncode == 0, f"mkdocs build --strict failed:\n{built.stderr[-3000:]}"
    return Site(out, executed=False)


def readme_headings() -> list[tuple[int, str]]:
    """(level, title) of README.md's headings, outside code blocks."""
    headings, fenced = [], False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"(#{2,6}) (.+)", line)):
            headings.append((len(m.group(1)), m.group(2).strip()))
    return headings


def slug(title: str) -> str:
    """The anchor MkDocs gives a heading."""
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", title).strip().lower())


def test_every_section_of_the_readme_is_on_the_site(site: Site) -> None:
    ids = set()
    for page in site.path.rglob("index.html"):
        ids |= set(re.findall(r'<h[1-6] id="([^"]+)"', page.read_text(encoding="utf-8")))
    for _, title in readme_headings():
        assert slug(title) in ids, f"README.md's section {title!r} is on no page of the site"


def test_the_hand_written_pages(site: Site) -> None:
    start = site.page("getting-started")
    assert 'id="set-up"' in start and "externally-managed-environment" in start  # README's set-up, included
    assert 'href="../tutorials/"' in start and 'href="../semantics/"' in start
    semantics = site.page("semantics")
    assert "Where microgradnet differs from PyTorch" in semantics and "retain_graph=True" in semantics
    assert "Value(-8) ** (1/3)" in semantics  # README's table of edge cases
    speed = site.page("speed")
    assert "demo step" in speed and "micrograd / microgradnet" in speed  # README's benchmark table
    home = site.page(".")
    for picture in ("neuron.png", "moons.png"):
        assert f'src="./assets/{picture}"' in home and (site.path / "assets" / picture).is_file()


def public_modules() -> list[str]:
    children = [m.name for m in pkgutil.iter_modules(microgradnet.__path__)]
    return (
        ["microgradnet"]
        + [f"microgradnet.{n}" for n in children if not n.startswith("_") and n not in NOT_API]
        + MORE_API
    )


def test_the_api_reference_has_every_public_module_and_name(site: Site) -> None:
    for name in public_modules():
        page = site.page(f"api/{name}")
        module = importlib.import_module(name)
        for member in getattr(module, "__all__", []):
            if not member.startswith("__") and not hasattr(getattr(module, member), "__path__"):
                if isinstance(getattr(module, member), type(microgradnet)):
                    continue  # a submodule: it has a page of its own
                assert f'id="{name}.{member}"' in page, f"api/{name}: {member} is not documented"


def test_the_value_s_operators_from_the_op_table_are_documented(site: Site) -> None:
    page = site.page("api/microgradnet")
    for method in ("__add__", "__radd__", "__mul__", "__pow__", "__rtruediv__", "exp", "tanh", "leaky_relu", "relu"):
        assert f'id="microgradnet.Value.{method}"' in page, method
    for doc in ("self + other, recorded in the graph.", "other / self, recorded in the graph.", "exp(self)"):
        assert doc in page
    assert "Operand" in page  # the annotation as written, not the Union it stands for


def _without(page: str, start: str, end: str) -> str:
    """page without its parts from `start` to `end` (script, style, pre and code blocks), in one pass."""
    kept, i = [], 0
    while (j := page.find(start, i)) >= 0:
        kept.append(page[i:j])
        k = page.find(end, j)
        i = len(page) if k < 0 else k + len(end)
    kept.append(page[i:])
    return "".join(kept)


def test_the_tutorials_are_pages_with_their_outputs(site: Site) -> None:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 5
    for notebook in notebooks:
        page = site.page(f"tutorials/{notebook.stem}")
        assert "jp-Notebook" in page and (site.path / "tutorials" / notebook.stem / notebook.name).is_file()
        text = page
        for start, end in (("<script", "</script>"), ("<style", "</style>"), ("<pre", "</pre>"), ("<code", "</code>")):
            text = _without(text, start, end)  # what a reader sees as text: no code, styles or scripts
        assert "$" not in text or "<math" in page, f"{notebook.name}: TeX left as text"
        if site.executed:
            assert "jp-OutputArea-output" in page, f"{notebook.name} shows no output"
            assert not re.search(r'<div[^>]*data-mime-type="application/vnd.jupyter.stderr"', page), notebook.name
    first = site.page("tutorials/01_derivatives_and_backprop")
    assert first.count("<math") > 20  # its TeX, as MathML
    if site.executed:
        digits = site.page("tutorials/04_digits")
        assert len(re.findall(r'<img[^>]*src="data:image/png', digits)) >= 3  # images, curves, confusion matrix
        bars = [dict(re.findall(r'(value|max)="(\d+)"', tag)) for tag in re.findall(r"<progress[^>]*>", digits)]
        assert bars and all(bar["value"] == bar["max"] for bar in bars), bars  # fit's bar, at its end


def test_plain_values_are_not_described_by_their_type_s_docstring(site: Site) -> None:
    for page in (site.path / "api").rglob("index.html"):
        text = page.read_text(encoding="utf-8")
        for builtin in ("new empty dictionary", "str(object=", "Built-in immutable sequence", "int([x]) -> integer"):
            assert builtin not in text, f"{page.relative_to(site.path)}: an attribute shows {builtin!r}"
    home = site.page("api/microgradnet")
    assert "The op table by name" in home  # OPS, by the comment on the line that assigns it
    assert "The number, a float." in home  # the Value's attributes, from its docstring


class Resources(HTMLParser):
    """The URLs a page loads by itself: scripts, stylesheets, pictures, frames (not the links a reader follows)."""

    LOADS: ClassVar = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"),
             ("audio", "src"), ("embed", "src"), ("object", "data"), ("input", "src")}  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.urls += [v for (t, a), v in ((k, values.get(k[1])) for k in self.LOADS) if t == tag and v]
        if tag == "link" and values.get("href") and "stylesheet" in (values.get("rel") or "") + "icon preload":
            self.urls.append(values["href"] or "")
        self.in_script = tag == "script"

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.urls += re.findall(r"""(?:import\(|src\s*=\s*)["'](https?:)?//""", data)


def test_nothing_on_the_site_is_fetched_from_elsewhere(site: Site) -> None:
    external = re.compile(r"^(https?:)?//")
    for page in site.path.rglob("*.html"):
        parser = Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        outside = [u for u in parser.urls if external.match(u) or u.startswith(("http:", "https:"))]
        assert not outside, f"{page.relative_to(site.path)} loads {outside[:3]}"
    for css in site.path.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"""(url\(|@import)\s*["']?(https?:)?//""", text), css.relative_to(site.path)


# -- in a browser -------------------------------------------------------------------------------------
PAGES = ["", "getting-started/", "semantics/", "guide/the-engine/", "speed/", "api/microgradnet/",
         "tutorials/01_derivatives_and_backprop/", "tutorials/04_digits/"]  # fmt: skip


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[tuple[Any, str]]:
    """Chromium without a screen, its network log on, and the site served on localhost."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium (the docs group)")
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip("needs Chromium and its driver: apt-get install chromium chromium-driver")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site.path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=1280,1000"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    from selenium.webdriver.chrome.service import Service

    chrome = webdriver.Chrome(options=options, service=Service(driver))
    try:
        yield chrome, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        chrome.quit()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)


def requested(chrome: Any) -> list[str]:
    """The URLs the browser asked for since the last call."""
    urls = []
    for entry in chrome.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.parametrize("url", PAGES)
def test_a_page_in_the_browser(browser: tuple[Any, str], url: str) -> None:
    chrome, base = browser
    requested(chrome)
    chrome.get(base + url)
    chrome.execute_script("window.scrollTo(0, document.body.scrollHeight)")  # lazy pictures load too
    chrome.execute_async_script("const done = arguments[0]; setTimeout(done, 500)")
    assert chrome.title.endswith("microgradnet")
    pictures = chrome.execute_script(
        "return [...document.images].map(i => [i.src.slice(0, 80), i.complete, i.naturalWidth])"
    )
    broken = [src for src, complete, width in pictures if not (complete and width > 0)]
    assert not broken, f"pictures that do not show: {broken}"
    elsewhere = [u for u in requested(chrome) if re.match(r"(https?|wss?|ftp):", u) and not u.startswith(base)]
    assert not elsewhere, f"{url or 'the home page'} asked the network for {elsewhere}"
    errors = [e["message"] for e in chrome.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    if shots := os.environ.get("MICROGRADNET_DOCS_SCREENSHOTS"):
        Path(shots).mkdir(parents=True, exist_ok=True)
        chrome.save_screenshot(str(Path(shots) / f"{url.strip('/').replace('/', '_') or 'index'}.png"))


def test_search_finds_a_function(browser: tuple[Any, str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    chrome, base = browser
    chrome.get(base)
    chrome.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input").click()
    box = chrome.find_element(By.CSS_SELECTOR, "input.md-search__input")
    box.send_keys("gradgradcheck")
    results = WebDriverWait(chrome, 20).until(
        lambda c: c.find_elements(By.CSS_SELECTOR, ".md-search-result__item a") or None
    )
    links = [r.get_attribute("href") for r in results]
    assert any("check-your-gradients" in link or "microgradnet.testing" in link for link in links), links


def test_mathml_is_drawn(browser: tuple[Any, str]) -> None:
    chrome, base = browser
    chrome.get(base + "tutorials/01_derivatives_and_backprop/")
    sizes = chrome.execute_script(
        "return [...document.querySelectorAll('math')].map(m => m.getBoundingClientRect().width)"
    )
    assert len(sizes) > 20 and all(w > 0 for w in sizes)
