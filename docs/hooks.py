"""MkDocs hooks that build microgradnet's documentation site from the repository's own sources.

- The guide is README.md. A page includes a section of it with `<!-- README: Title -->` (the section's
  text without its heading, its subsections one level up; `intro` is the text above the first `##`),
  and every `##` section that no page includes becomes a page of its own under guide/. A link to a
  README heading (`#anchor`) goes to the page that shows it; README's pictures (docs/assets/) are the
  site's assets.
- The API reference has a page for each public module (api_modules), which mkdocstrings renders from
  the imported module: the Value's operators, made at import time from the op table, are there.
- The tutorials are notebooks/*.ipynb, executed at build time (set MICROGRADNET_DOCS_EXECUTE=0 to show
  them without outputs), their TeX turned into MathML, so that no page needs MathJax, or a widget's
  scripts, from a CDN. An error in a notebook fails the build.
"""

from __future__ import annotations

import hashlib
import os
import pkgutil
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown.extensions.toc import slugify
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
NOTEBOOKS = ROOT / "notebooks"
CACHE = ROOT / ".cache" / "docs-notebooks"
INCLUDE = re.compile(r"^<!-- README: (.+?) -->[ \t]*$", re.MULTILINE)
ANCHOR_LINK = re.compile(r"\]\(#([^)\s]+)\)")
MD_PICTURE, HTML_PICTURE = re.compile(r"\]\(docs/"), re.compile(r'src="docs/')

NOT_API = {"cli", "engine"}  # the command line is told of in the guide; the engine by its door, below
MORE_API = ["microgradnet.engine.extend", "microgradnet.testing.strategies"]


# -- README.md as sections ----------------------------------------------------------------------------
@dataclass
class Heading:
    line: int
    level: int
    title: str


@dataclass
class Readme:
    lines: list[str]
    headings: list[Heading]

    @classmethod
    def read(cls) -> Readme:
        lines = README.read_text(encoding="utf-8").splitlines()
        headings, fenced = [], False
        for i, line in enumerate(lines):
            if line.lstrip().startswith("```"):
                fenced = not fenced
            elif not fenced and (m := re.match(r"(#{1,6}) (.+)", line)):
                headings.append(Heading(i, len(m.group(1)), m.group(2).strip()))
        return cls(lines, headings)

    def find(self, title: str) -> Heading:
        for h in self.headings:
            if h.title == title:
                return h
        titles = ", ".join(repr(h.title) for h in self.headings)
        raise ValueError(f"README.md has no section {title!r}; its headings are: {titles}")

    def span(self, title: str) -> tuple[int, int, int]:
        """(first line, end line, level) of a section's text below its heading; 'intro' is the text above '##'."""
        if title == "intro":
            first_h2 = next(h.line for h in self.headings if h.level == 2)
            return 0, first_h2, 0
        h = self.find(title)
        end = next((o.line for o in self.headings if o.line > h.line and o.level <= h.level), len(self.lines))
        return h.line + 1, end, h.level

    def section(self, title: str) -> str:
        """A section's text, its subsections' headings one level up for each level it is below the top."""
        first, end, level = self.span(title)
        shift = max(level - 1, 0)
        out = []
        headings = {h.line: h for h in self.headings}
        for i in range(first, end):
            h = headings.get(i)
            out.append("#" * (h.level - shift) + " " + h.title if h and shift else self.lines[i])
        return "\n".join(out).strip("\n") + "\n"

    def slugs(self, title: str) -> list[str]:
        """The anchors of a section's heading and of the headings inside it."""
        first, end, _ = self.span(title)
        return [slugify(h.title, "-") for h in self.headings if first - 1 <= h.line < end and h.level > 1]


# -- what the site is made of -------------------------------------------------------------------------
@dataclass
class Site:
    readme: Readme
    guide: dict[str, str] = field(default_factory=dict)  # page -> README section it shows
    anchors: dict[str, str] = field(default_factory=dict)  # README heading's anchor -> page that shows it
    pages: set[str] = field(default_factory=set)  # anchors of sections that a page shows whole: the page
    api: dict[str, str] = field(default_factory=dict)  # page -> module
    tutorials: list[str] = field(default_factory=list)  # pages, from notebooks/


SITE: Site | None = None


def api_modules() -> list[str]:
    """The public modules: the package, its modules and subpackages, and MORE_API."""
    import microgradnet

    children = sorted(
        f"microgradnet.{m.name}"
        for m in pkgutil.iter_modules(microgradnet.__path__)
        if not m.name.startswith("_") and m.name not in NOT_API
    )
    return ["microgradnet", *children, *MORE_API]


def included(docs_dir: Path) -> dict[str, list[str]]:
    """The README sections each hand-written page includes."""
    pages = {}
    for path in sorted(docs_dir.rglob("*.md")):
        titles = INCLUDE.findall(path.read_text(encoding="utf-8"))
        if titles:
            pages[path.relative_to(docs_dir).as_posix()] = titles
    return pages


def on_config(config: Any) -> Any:
    """Plan the generated pages and put them into the nav's Guide, Tutorials and API reference sections."""
    global SITE
    site = SITE = Site(Readme.read())
    hand_written = included(Path(config["docs_dir"]))
    shown = {t for titles in hand_written.values() for t in titles}
    for h in site.readme.headings:
        if h.level == 2 and h.title not in shown:
            site.guide[f"guide/{slugify(h.title, '-')}.md"] = h.title
    for page, titles in [*hand_written.items(), *((p, [t]) for p, t in site.guide.items())]:
        for title in titles:
            for slug in site.readme.slugs(title):
                site.anchors.setdefault(slug, page)
            site.pages.add(slugify(title, "-"))
    site.api = {f"api/{name}.md": name for name in api_modules()}
    site.tutorials = [f"tutorials/{p.name}" for p in sorted(NOTEBOOKS.glob("*.ipynb"))]
    extend_nav(config["nav"], "guide/index.md", [{site.guide[p]: p} for p in site.guide])
    extend_nav(config["nav"], "tutorials/index.md", [{notebook_title(p): p} for p in site.tutorials])
    extend_nav(config["nav"], "api/index.md", [{name: p} for p, name in site.api.items()])
    return config


def extend_nav(nav: list[Any], index: str, pages: list[Any]) -> None:
    """Append pages to the nav section whose first page is `index`."""
    for item in nav:
        for value in item.values() if isinstance(item, dict) else []:
            if isinstance(value, list) and value and value[0] == index:
                value.extend(pages)
                return
    raise ValueError(f"mkdocs.yml: the nav has no section that starts with {index}")


@event_priority(50)  # before mkdocs-jupyter looks for notebooks among the files
def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages: the guide's, the API reference's and the executed tutorials."""
    assert SITE is not None
    for page, title in SITE.guide.items():
        files.append(File.generated(config, page, content=f"# {title}\n\n<!-- README: {title} -->\n"))
    for page, name in SITE.api.items():
        files.append(File.generated(config, page, content=f"# `{name}`\n\n::: {name}\n"))
    execute = os.environ.get("MICROGRADNET_DOCS_EXECUTE", "1") != "0"
    for page in SITE.tutorials:
        # a File of its own folder, not File.generated: mkdocs-jupyter reads the notebook from abs_src_path
        folder = prepared_notebook(NOTEBOOKS / posixpath.basename(page), execute)
        files.append(File(page, str(folder), config["site_dir"], config["use_directory_urls"]))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Put README's sections in, and point README's links and pictures to where they are on the site."""
    assert SITE is not None
    site = SITE
    markdown = INCLUDE.sub(lambda m: site.readme.section(m.group(1)), markdown)
    here = page.file.src_uri
    base = posixpath.dirname(here)
    own = {slugify(m.group(1), "-") for m in re.finditer(r"^#{1,6} (.+)$", markdown, re.MULTILINE)}

    def link(m: re.Match[str]) -> str:
        slug = m.group(1)
        target = site.anchors.get(slug)
        if slug in own or target is None or target == here:
            return m.group(0)
        fragment = "" if slug in site.pages else f"#{slug}"
        return f"]({posixpath.relpath(target, base or '.')}{fragment})"

    markdown = ANCHOR_LINK.sub(link, markdown)
    # a Markdown link is relative to the page's file, which MkDocs resolves; an HTML one to its URL
    markdown = MD_PICTURE.sub(f"]({posixpath.relpath('.', base or '.')}/", markdown)
    url_dir = posixpath.dirname(page.url) if not page.url.endswith("/") else page.url.rstrip("/")
    return HTML_PICTURE.sub(f'src="{posixpath.relpath(".", url_dir or ".")}/', markdown)


# -- tutorials ----------------------------------------------------------------------------------------
CDN_SCRIPT = re.compile(  # an empty <script src="">, and the scripts that would load MathJax or Mermaid
    r'<script src=""> </script>|<script[^>]*>(?:(?!</script>).)*?(?:MathJax|mermaid)(?:(?!</script>).)*</script>',
    re.DOTALL,
)


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """Take out of a tutorial's page what nbconvert puts in for MathJax and Mermaid, which load from CDNs."""
    if page.file.src_uri.endswith(".ipynb"):
        html = CDN_SCRIPT.sub("", html)
    return html


MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.DOTALL)
CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)
WIDGET = "application/vnd.jupyter.widget-view+json"


def prepared_notebook(source: Path, execute: bool) -> Path:
    """A folder holding tutorials/NAME.ipynb, executed (or not), with MathML for its TeX; cached."""
    import nbformat

    key = hashlib.sha256(source.read_bytes())
    if execute:
        for path in sorted((ROOT / "microgradnet").rglob("*.py")):
            key.update(path.read_bytes())
    folder = CACHE / f"{source.stem}-{'run' if execute else 'text'}-{key.hexdigest()[:16]}"
    out = folder / "tutorials" / source.name
    if out.exists():
        return folder
    notebook = nbformat.read(source, as_version=4)
    if execute:
        from nbclient import NotebookClient

        client = NotebookClient(notebook, timeout=900, kernel_name="python3", store_widget_state=False,
                                resources={"metadata": {"path": str(source.parent)}})  # fmt: skip
        client.execute()
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = mathml(cell.source)
        for output in cell.get("outputs", []):
            if WIDGET in output.get("data", {}):
                raise ValueError(f"{source.name}: an output is a Jupyter widget, which the site cannot show")
    for stale in CACHE.glob(f"{source.stem}-{'run' if execute else 'text'}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out)
    return folder


def notebook_title(page: str) -> str:
    """The first heading of a tutorial's notebook."""
    import json

    path = NOTEBOOKS / posixpath.basename(page)
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown" and (m := re.match(r"#+ (.+)", "".join(cell["source"]).strip())):
            return m.group(1).strip()
    raise ValueError(f"{path.name} has no heading to name it by")


def mathml(markdown: str) -> str:
    """Markdown with its TeX ($...$ and $$...$$, outside code) as MathML, which browsers draw themselves."""
    from latex2mathml.converter import convert

    def convert_math(m: re.Match[str]) -> str:
        display = m.group(1) is not None
        return convert((m.group(1) or m.group(2)).strip(), display="block" if display else "inline")

    parts = CODE.split(markdown)
    return "".join(part if i % 2 else MATH.sub(convert_math, part) for i, part in enumerate(parts))
