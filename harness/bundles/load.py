"""Load a bundle: parse, validate strictly, resolve carried files safely, digest.

Every error is a ``BundleError`` (exit 2) naming the file, the line, the field path
and what to do. Carried paths must stay inside the bundle folder: no absolute paths,
no ``..``, no symlink that leads out. The digest covers every byte the bundle carries
(the bundle file and each carried file), so what is approved is what was simulated.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from harness.bundles.model import Bundle, parse_intent
from harness.bundles.schema import BUNDLE
from harness.bundles.yamlsrc import SourceError, line_for, parse
from harness.errors import BundleError, UnknownName
from harness.estate.canonical import digest_of

BUNDLE_NAMES = ("bundle.yaml", "bundle.yml", "bundle.json")
MAX_BUNDLE_FILE = 1024 * 1024  # the bundle document itself
MAX_CARRIED_FILE = 20 * 1024 * 1024
MAX_CARRIED_TOTAL = 64 * 1024 * 1024
MAX_CARRIED_COUNT = 5000
_UNKNOWN_HINT = "Remove or correct it: unknown fields are refused so that a typo cannot weaken an intent"


def find_bundle_file(path: Path) -> Path:
    """A bundle file, or the single bundle.yaml/yml/json inside a folder."""
    if not path.exists():
        raise BundleError("no such file or folder", where=str(path),
                          hint="Give a bundle.yaml file or the folder that holds it")
    if path.is_dir():
        found = [path / n for n in BUNDLE_NAMES if (path / n).is_file()]
        if not found:
            raise BundleError("the folder holds no bundle.yaml, bundle.yml or bundle.json", where=str(path))
        if len(found) > 1:
            raise BundleError(f"the folder holds several bundle files ({', '.join(p.name for p in found)})",
                              where=str(path), hint="Keep exactly one")
        return found[0]
    return path


def load_bundle(path: str | os.PathLike[str]) -> Bundle:
    """Read, validate and digest a bundle; raise BundleError on any problem."""
    from harness.bundles.runners import RUNNERS

    file = find_bundle_file(Path(path)).absolute()
    root = file.parent
    name = str(file)
    size = file.stat().st_size
    if size > MAX_BUNDLE_FILE:
        raise BundleError(f"the bundle file is {size} bytes, above the {MAX_BUNDLE_FILE} byte limit",
                          where=name, hint="Move large content into carried files")
    raw_bytes = file.read_bytes()
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"not UTF-8 text (byte {exc.start})", where=name) from None
    try:
        doc, lines = parse(text, json_only=file.suffix == ".json")
    except SourceError as exc:
        loc = f"{name}:{exc.line}" if exc.line else name
        raise BundleError(f"not valid {'JSON' if file.suffix == '.json' else 'YAML'}: {exc}", where=loc,
                          hint="Fix the syntax (indentation, quotes, colons)") from None
    if doc is None or doc == {}:
        raise BundleError("the bundle is empty", where=name,
                          hint="A bundle needs apiVersion, kind, metadata, intent and change (see BUNDLE.md)")
    if not isinstance(doc, dict):
        raise BundleError(f"expected a mapping at the top level, found {type(doc).__name__}", where=name)
    _validate(doc, BUNDLE, (), name, lines)
    kind = doc["change"]["kind"]
    try:
        runner = RUNNERS.get(kind)
    except UnknownName as exc:
        raise BundleError(f"unknown change kind {kind!r}", where=_where(name, lines, ("change", "kind")),
                          hint=exc.hint) from None
    _validate(doc["change"], runner.schema, ("change",), name, lines)
    files: dict[str, Path] = {}
    for field_path, rel in runner.carried(doc["change"]):
        where = _where(name, lines, ("change", *field_path))
        for rel_file, absolute in _carried(root, rel, where):
            files[rel_file] = absolute
    manifest = _manifest(file, raw_bytes, files)
    metadata = doc["metadata"]
    bundle = Bundle(
        path=file, root=root, name=metadata["name"], author=metadata["author"],
        description=metadata.get("description", ""), intent=parse_intent(doc["intent"]),
        kind=kind, change=doc["change"], files=files, digest=digest_of(manifest),
        manifest=manifest, raw=doc,
    )
    runner.validate(bundle)
    return bundle


def _where(name: str, lines: dict, path: tuple) -> str:
    line = line_for(lines, path)
    dotted = _dotted(path)
    loc = f"{name}:{line}" if line else name
    return f"{loc}: {dotted}" if dotted else loc


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _validate(doc: Any, schema: dict[str, Any], prefix: tuple, name: str, lines: dict) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    error = best_match(validator.iter_errors(doc))
    if error is None:
        return
    path = (*prefix, *error.absolute_path)
    what, hint = _explain(error)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        if extra:
            path = (*path, extra[0])
    raise BundleError(what, where=_where(name, lines, path), hint=hint)


def _explain(error: jsonschema.ValidationError) -> tuple[str, str]:
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        names = ", ".join(repr(e) for e in extra)
        close = difflib.get_close_matches(extra[0], allowed, n=1) if extra else []
        suggestion = f" (did you mean {close[0]!r}?)" if close else ""
        return (f"unknown field {names}{suggestion}",
                f"{_UNKNOWN_HINT}. Allowed here: {', '.join(allowed)}")
    if kind == "required":
        return error.message.replace("is a required property", "is required"), "Add the field (see BUNDLE.md)"
    if kind == "type":
        want = schema.get("type")
        return (f"expected {want}, found {type(error.instance).__name__} ({error.instance!r:.60})",
                "Fix the value's type (see BUNDLE.md)")
    if kind in ("enum", "const"):
        allowed = schema.get("enum") or [schema.get("const")]
        return (f"{error.instance!r:.60} is not allowed", f"Use one of: {', '.join(map(str, allowed))}")
    if kind == "pattern" and "<=|>=" in schema.get("pattern", ""):
        return (f"{error.instance!r:.60} is not a valid count bound",
                "Write a count such as 0 or 100, or a bound such as '<=100', '>=1' or 'any'")
    if kind == "pattern":
        return (f"{error.instance!r:.80} has the wrong form", _pattern_hint(schema.get("pattern", "")))
    if kind == "oneOf":
        return (f"{error.instance!r:.60} is not a valid count bound",
                "Write a count such as 0 or 100, or a bound such as '<=100', '>=1' or 'any'")
    return error.message, "See BUNDLE.md"


def _pattern_hint(pattern: str) -> str:
    if "agent|user" in pattern:
        return "Write the author as agent:NAME or user:NAME"
    if pattern.startswith("^[a-z0-9][a-z0-9-]"):
        return "Use lowercase letters, digits and dashes, starting with a letter or digit (max 63)"
    if ":" in pattern and "/" in pattern:
        return "Write a resource address as service:type/name, e.g. sqs:queue/orders (globs * and ? allowed)"
    return f"It must match {pattern}"


def _carried(root: Path, rel: str, where: str) -> list[tuple[str, Path]]:
    """Resolve one carried path safely; a folder yields every file inside it."""
    if not isinstance(rel, str) or not rel.strip():
        raise BundleError("empty path", where=where)
    candidate = Path(rel)
    if candidate.is_absolute():
        raise BundleError(f"{rel!r} is an absolute path", where=where,
                          hint="Paths are relative to the bundle folder")
    if ".." in candidate.parts:
        raise BundleError(f"{rel!r} leaves the bundle folder", where=where,
                          hint="Keep every file inside the bundle folder; '..' is not allowed")
    real_root = root.resolve()
    target = (root / candidate)
    if not target.exists() and not target.is_symlink():
        raise BundleError(f"{rel!r} does not exist in the bundle folder", where=where,
                          hint=f"Add the file under {root}")
    _inside(target, real_root, rel, where)
    if target.is_file():
        return [(candidate.as_posix(), _checked_file(target, candidate.as_posix(), where))]
    out: list[tuple[str, Path]] = []
    total = 0
    for dirpath, dirnames, filenames in os.walk(target, followlinks=False):
        dirnames.sort()
        for d in list(dirnames):
            sub = Path(dirpath) / d
            if sub.is_symlink():
                _inside(sub, real_root, sub.relative_to(root).as_posix(), where)
                dirnames.remove(d)  # never follow: a symlinked folder is not carried
            elif d in (".terraform", ".git", "__pycache__"):
                dirnames.remove(d)  # tool caches, not part of the change
        for f in sorted(filenames):
            path = Path(dirpath) / f
            rel_file = path.relative_to(root).as_posix()
            _inside(path, real_root, rel_file, where)
            out.append((rel_file, _checked_file(path, rel_file, where)))
            total += path.stat().st_size
            if len(out) > MAX_CARRIED_COUNT:
                raise BundleError(f"{rel!r} holds more than {MAX_CARRIED_COUNT} files", where=where)
            if total > MAX_CARRIED_TOTAL:
                raise BundleError(f"{rel!r} holds more than {MAX_CARRIED_TOTAL} bytes", where=where)
    return out


def _inside(path: Path, real_root: Path, rel: str, where: str) -> None:
    resolved = path.resolve()
    if resolved != real_root and real_root not in resolved.parents:
        raise BundleError(f"{rel!r} is a symlink that leads out of the bundle folder (to {resolved})",
                          where=where, hint="Copy the file into the bundle folder instead of linking it")


def _checked_file(path: Path, rel: str, where: str) -> Path:
    size = path.stat().st_size
    if size > MAX_CARRIED_FILE:
        raise BundleError(f"{rel!r} is {size} bytes, above the {MAX_CARRIED_FILE} byte limit per file",
                          where=where, hint="Bundles carry code and configuration, not data")
    return path


def _manifest(file: Path, raw: bytes, files: dict[str, Path]) -> dict[str, Any]:
    entries = []
    for rel in sorted(files):
        data = files[rel].read_bytes()
        entries.append({"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    return {
        "format": "shadow.bundle-manifest/v1",
        "bundle": {"name": file.name, "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()},
        "files": entries,
    }
