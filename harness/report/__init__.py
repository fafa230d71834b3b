"""Reports: one model (``report.model.build``), one renderer per format, one registry."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from harness.registry import Registry
from harness.report import html, markdown, text

Renderer = Callable[[dict[str, Any]], str]


def render_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n"


RENDERERS: Registry[Renderer] = Registry("report format")
RENDERERS.register("text", text.render)
RENDERERS.register("json", render_json)
RENDERERS.register("markdown", markdown.render)
RENDERERS.register("html", html.render)

# the file extension of each format's reports
EXTENSIONS: dict[str, str] = {"text": "txt", "json": "json", "markdown": "md", "html": "html"}

__all__ = ["EXTENSIONS", "RENDERERS", "Renderer", "render_json"]
