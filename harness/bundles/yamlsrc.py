"""Read YAML/JSON with line numbers per field path and duplicate keys refused.

PyYAML silently keeps the last of two equal keys; in an intent that could weaken it
(``effects`` written twice), so a duplicate key is an error here.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class SourceError(ValueError):
    """Malformed YAML/JSON; carries a 1-based line (and column) when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


def parse(text: str, *, json_only: bool = False) -> tuple[Any, dict[Path_, int]]:
    """Parse ``text``; return (document, {field path: 1-based line})."""
    if json_only:
        try:
            doc = json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise SourceError(exc.msg, exc.lineno, exc.colno) from None
        lines: dict[Path_, int] = {}
        with contextlib.suppress(yaml.YAMLError, SourceError):
            _walk(yaml.compose(text, Loader=yaml.SafeLoader), (), lines)
        return doc, lines
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines = {}
        _walk(node, (), lines)
        doc = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        raise SourceError(problem, mark.line + 1 if mark else None,
                          mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise SourceError(str(exc)) from None
    finally:
        loader.dispose()
    return doc, lines


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SourceError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise SourceError(f"duplicate key {key!r} (first on line {seen[key]})",
                                  key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            seen[key] = key_node.start_mark.line + 1
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def line_for(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of ``path`` or of its nearest ancestor."""
    for cut in range(len(path), -1, -1):
        line = lines.get(tuple(path[:cut]))
        if line is not None:
            return line
    return None
