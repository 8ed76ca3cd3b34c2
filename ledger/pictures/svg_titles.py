"""Hover text for an SVG matplotlib wrote: each artist drawn with an id (`set_gid`) gets a `<title>`,
which a browser shows on hover, and the marks a page can click get `data-mark` and keyboard focus."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Collection, Mapping

SVG_NS = "http://www.w3.org/2000/svg"


def with_titles(svg: str, titles: Mapping[str, str], clickable: Collection[str] = ()) -> str:
    """`svg` with a `<title>` first in each group whose id `titles` has; those in `clickable` also get
    `class="mark"`, `data-mark="<id>"` and `tabindex="0"`."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(svg)
    for group in root.iter(f"{{{SVG_NS}}}g"):
        key = group.get("id", "")
        if key not in titles:
            continue
        title = ET.Element(f"{{{SVG_NS}}}title")
        title.text = titles[key]
        group.insert(0, title)
        if key in clickable:
            group.set("class", "mark")
            group.set("data-mark", key)
            group.set("tabindex", "0")
    return '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + ET.tostring(root, encoding="unicode")
