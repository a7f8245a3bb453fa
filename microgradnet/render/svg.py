"""SVG from Graphviz, made to fit a page: scaled to its container, and trimmed for the step-through page.

Graphviz gives its SVG a fixed size in points, so a wide graph overflows a notebook's cell and is
clipped. `fit_width` lets it shrink to the width it is shown in (never beyond its own size, and
with its proportions kept by its viewBox).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

__all__ = ["fit_width", "page_svg"]

_ROOT = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def fit_width(svg: str) -> str:
    """svg scaled down to its container's width (CSS max-width) and no wider than itself; unchanged if no size."""
    return _ROOT.sub(lambda m: f'{m.group(0)} style="width:100%;max-width:{m.group(1)}pt;height:auto"', svg, count=1)


# -- the step-through page's drawing ------------------------------------------------------------------
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_EDGE_TITLE = re.compile(r"^(\w+)(?::\w+)*->(\w+)")


def page_svg(svg: str, final: dict[str, tuple[str, str]]) -> str:
    """Graphviz's SVG of the step-through page, made addressable and small.

    Each node's group gets its DOT name as id (v3, v3op, p3: a part's parameters), and the edge from
    an op node to its Value the id v3o (the edges into op nodes have theirs from the DOT source: v3e0).
    Each data and grad cell, marked by a link to #v3d / #v3g, loses its link and gets the ids v3d and
    v3g (its text) and v3dc and v3gc (its box); its text becomes `final[id]` (the cells were laid out
    for the widest text they will show). Each Value's parts are then one group, id v3w. Titles, comments and
    font names go (the page's CSS has the font).
    """
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg)  # expat reads no DTD and fetches nothing
    for parent in list(root.iter()):
        children = list(parent)
        if not any(_cell(child) for child in children):
            continue
        for child in children:
            parent.remove(child)
        for child in children:
            href = _cell(child)
            boxed = False
            for part in child[0] if href else [child]:  # a marked cell's link goes: its box and text stay
                if href and part.tag == _tag("polygon") and not boxed:
                    part.set("id", href + "c")  # its first box: the background (or the border, if it has none)
                    boxed = True
                elif href and part.tag == _tag("text"):
                    _mark(part, href, final)
                parent.append(part)
    for g in root.iter(_tag("g")):
        title = g.find(_tag("title"))
        if title is not None:
            name = (title.text or "").replace("&#45;", "-")
            kind = g.get("class")
            if kind == "node":
                g.set("id", name)
            elif kind == "edge" and not g.get("id", "").startswith("v") and (m := _EDGE_TITLE.match(name)):
                tail, head = m.groups()
                if tail == head + "op":
                    g.set("id", head + "o")
                else:
                    g.attrib.pop("id", None)
            g.remove(title)
    _group(root)
    _compact(root)
    return ET.tostring(root, encoding="unicode")


_PART = re.compile(r"^v(\d+)(?:op|o|e\d+)?$")


def _group(root: ET.Element) -> None:
    """Each Value's parts (its box, its op node, the edges into them) in one group of their own, id v3w, where its
    first part was: the page marks a value not computed yet by one class on one element, not on each part."""
    for parent in list(root.iter()):
        order: list[ET.Element] = []
        groups: dict[str, ET.Element] = {}
        for child in parent:
            m = _PART.match(child.get("id", "")) if child.tag == _tag("g") else None
            if m is None:
                order.append(child)
                continue
            if m.group(1) not in groups:
                groups[m.group(1)] = ET.Element(_tag("g"), {"id": f"v{m.group(1)}w"})
                order.append(groups[m.group(1)])
            groups[m.group(1)].append(child)
        if groups:
            parent[:] = order


_NUMBER = re.compile(r"-?\d+\.\d+")
_DEFAULTS = {"fill": "none", "stroke": "black", "text-anchor": "start", "font-size": "11.00"}  # see the page's CSS


def _compact(root: ET.Element) -> None:
    """Fewer bytes, the same drawing: whole-pixel coordinates, no whitespace between elements, and none of the
    attributes that the page's CSS gives by default (a line's black stroke, a box's empty fill, an 11 px font)."""
    shapes = (_tag("polygon"), _tag("path"), _tag("ellipse"), _tag("text"))
    for el in root.iter():
        el.tail = None
        if el.tag != _tag("text"):
            el.text = None
        el.attrib.pop("font-family", None)
        for name in ("points", "d", "x", "y", "cx", "cy", "rx", "ry"):
            if name in el.attrib:
                el.set(name, _NUMBER.sub(lambda m: str(round(float(m.group(0)))), el.get(name, "")))
        if el.tag in shapes:
            for name, default in _DEFAULTS.items():
                if el.get(name) == default and not (name == "fill" and el.tag == _tag("text")):
                    del el.attrib[name]
    for g in root.iter(_tag("g")):
        if g.get("class") == "edge":
            for polygon in g.iter(_tag("polygon")):
                if polygon.get("fill") == "black":  # an arrowhead: filled by the page's CSS
                    del polygon.attrib["fill"]


def _cell(el: ET.Element) -> str:
    """'v3d' if el is the link Graphviz wraps a cell marked #v3d in (a group holding one <a>), else ''."""
    if el.tag == _tag("g") and len(el) == 1 and el[0].tag == _tag("a"):
        href = el[0].get(f"{{{XLINK_NS}}}href", "")
        if href.startswith("#v"):
            return href[1:]
    return ""


def _mark(el: ET.Element, cell: str, final: dict[str, tuple[str, str]]) -> None:
    """A data or grad cell's text: its id, and the text it ends with."""
    el.set("id", cell)
    data, grad = final[cell[:-1]]
    text = data if cell[-1] == "d" else grad
    boxed = (el.text or "").startswith(("data ", "grad "))  # a Value's box, not a row of a part's parameters
    el.text = f"{'data' if cell[-1] == 'd' else 'grad'} {text}" if boxed else text


def _tag(name: str) -> str:
    return f"{{{SVG_NS}}}{name}"
