"""An HTML page around a picture's SVG, from the Mako template `page.html.mako` beside this module.

The page is one file: the SVG inline, its style and its few lines of script in the page, no link to
anything outside it, so it opens the same with no network. Every value is HTML-escaped by default.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources


def _without_prolog(svg: str) -> str:
    """An SVG document as an element to inline: no XML declaration or doctype before `<svg`."""
    return svg[svg.index("<svg") :]


def page(
    title: str,
    svg: str,
    *,
    command: str,
    details: Mapping[str, tuple[str, Sequence[tuple[str, str]]]] | None = None,
) -> str:
    """The page: `svg` inline, and with `details` (mark id → (title, [(what, text)])) a panel that a
    click on the SVG element carrying `data-mark="<id>"` fills."""
    from mako.template import Template

    source = (resources.files("ledger.pictures") / "page.html.mako").read_text(encoding="utf-8")
    template = Template(source, default_filters=["h"], strict_undefined=True)
    payload = {
        key: {"title": t, "details": [list(pair) for pair in pairs]}
        for key, (t, pairs) in (details or {}).items()
    }
    # Inside <script>, only "</" can end the element early; JSON allows it written as "<\/".
    details_json = json.dumps(payload, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return template.render(
        title=title,
        svg=_without_prolog(svg),
        details=bool(payload),
        details_json=details_json,
        command=command,
    )
