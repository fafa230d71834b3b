"""botocore's service models as lookup tables for the call trace, built once per process.

``index()`` maps signing names and endpoint prefixes to botocore service names by reading
only the metadata at the head of each model file (~0.1 s for all services; loading every
model in full takes seconds). ``operations(service)`` loads one model in full, on first
use, and compiles its REST request-URI templates into matchers.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import threading
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import unquote

import botocore.loaders

_HEAD_BYTES = 8192
_lock = threading.Lock()


@dataclass(frozen=True)
class ServiceInfo:
    """What a service's model metadata says about how its requests look."""

    name: str
    signing_name: str
    endpoint_prefix: str
    target_prefix: str | None
    protocols: tuple[str, ...]
    api_version: str = ""


@dataclass
class Index:
    services: dict[str, ServiceInfo] = field(default_factory=dict)
    by_signing: dict[str, list[str]] = field(default_factory=dict)
    by_prefix: dict[str, list[str]] = field(default_factory=dict)
    by_target_prefix: dict[str, str] = field(default_factory=dict)


@cache
def _loader() -> botocore.loaders.Loader:
    return botocore.loaders.Loader()


def _model_head(name: str) -> bytes | None:
    loader = _loader()
    version = loader.determine_latest_version(name, "service-2")
    for root in loader.search_paths:
        path = os.path.join(root, name, version, "service-2.json")
        for candidate, opener in ((path, open), (path + ".gz", gzip.open)):
            if os.path.exists(candidate):
                with opener(candidate, "rb") as handle:
                    return handle.read(_HEAD_BYTES)
    return None


def _metadata(name: str) -> dict[str, Any]:
    head = _model_head(name)
    if head is not None:
        start = head.find(b'"metadata"')
        brace = head.find(b"{", start) if start >= 0 else -1
        if brace >= 0:
            try:
                text = head[brace:].decode("utf-8", "ignore")
                return json.JSONDecoder().raw_decode(text)[0]
            except ValueError:
                pass  # metadata longer than the head: fall back to the full model
    return _loader().load_service_model(name, "service-2")["metadata"]


@cache
def index() -> Index:
    """Every botocore service by signing name, endpoint prefix and JSON target prefix."""
    result = Index()
    for name in _loader().list_available_services("service-2"):
        meta = _metadata(name)
        prefix = meta.get("endpointPrefix", name)
        info = ServiceInfo(name=name, signing_name=meta.get("signingName", prefix), endpoint_prefix=prefix,
                           target_prefix=meta.get("targetPrefix"),
                           protocols=tuple(meta.get("protocols") or [meta.get("protocol", "")]),
                           api_version=meta.get("apiVersion", ""))
        result.services[name] = info
        result.by_signing.setdefault(info.signing_name, []).append(name)
        result.by_prefix.setdefault(prefix, []).append(name)
        if info.target_prefix:
            result.by_target_prefix.setdefault(info.target_prefix, name)
    return result


@dataclass(frozen=True)
class RestRoute:
    """One REST operation's request shape: method, path pattern and what must be present."""

    operation: str
    method: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]  # member names of the {labels} in path order
    query_literals: tuple[tuple[str, str | None], ...]  # from the requestUri, e.g. ("list-type", "2")
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    literal_chars: int
    deprecated: bool

    def specificity(self) -> tuple[int, int, int]:
        evidence = len(self.query_literals) + len(self.required_query) + len(self.required_headers)
        return (evidence, self.literal_chars, 0 if self.deprecated else 1)

    def match(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str]
              ) -> dict[str, str] | None:
        """Path parameters when this route matches the request, else None."""
        if method != self.method:
            return None
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        for key, value in self.query_literals:
            if key == "x-id" and key not in query:
                continue  # botocore adds x-id itself; other clients need not
            if key not in query or (value is not None and value not in query[key]):
                return None
        if any(key not in query for key in self.required_query):
            return None
        if any(key not in headers for key in self.required_headers):
            return None
        return {name: unquote(value) for name, value in zip(self.labels, found.groups(), strict=True)}


@dataclass
class ServiceOperations:
    names: frozenset[str]
    routes: list[RestRoute]  # most specific first


_LABEL = re.compile(r"\{([^}]+)\}")


def _compile_route(operation: str, spec: dict[str, Any], shapes: dict[str, Any]) -> RestRoute:
    http = spec.get("http", {})
    uri = http.get("requestUri", "/")
    path, _, query_text = uri.partition("?")
    members = shapes.get(spec.get("input", {}).get("shape", ""), {}).get("members", {})
    required = set(shapes.get(spec.get("input", {}).get("shape", ""), {}).get("required", []))
    by_location_name = {m.get("locationName", n): n for n, m in members.items() if m.get("location") == "uri"}
    labels: list[str] = []
    regex = ""
    literal_chars = 0
    position = 0
    for found in _LABEL.finditer(path):
        literal = path[position:found.start()]
        regex += re.escape(literal)
        literal_chars += len(literal)
        label = found.group(1)
        greedy = label.endswith("+")
        label = label.rstrip("+")
        labels.append(by_location_name.get(label, label))
        regex += "(.+)" if greedy else "([^/]+)"
        position = found.end()
    tail = path[position:]
    literal_chars += len(tail)
    regex += re.escape(tail.rstrip("/")) + "/?" if tail not in ("", "/") else "/?"
    literals = []
    for part in filter(None, query_text.split("&")):
        key, sep, value = part.partition("=")
        literals.append((key, value if sep else None))
    required_query = tuple(m.get("locationName", n) for n, m in members.items()
                           if n in required and m.get("location") == "querystring")
    required_headers = tuple(m.get("locationName", n).lower() for n, m in members.items()
                             if n in required and m.get("location") == "header")
    return RestRoute(operation=operation, method=http.get("method", "POST"), pattern=re.compile(regex),
                     labels=tuple(labels), query_literals=tuple(literals), required_query=required_query,
                     required_headers=required_headers, literal_chars=literal_chars,
                     deprecated=bool(spec.get("deprecated")))


_operations: dict[str, ServiceOperations] = {}


def operations(service: str) -> ServiceOperations:
    """Operation names of ``service`` and (for REST protocols) its compiled routes; cached."""
    cached = _operations.get(service)
    if cached is not None:
        return cached
    with _lock:
        cached = _operations.get(service)
        if cached is None:
            model = _loader().load_service_model(service, "service-2")
            specs = model.get("operations", {})
            protocols = set(model["metadata"].get("protocols") or [model["metadata"].get("protocol")])
            routes: list[RestRoute] = []
            if protocols & {"rest-xml", "rest-json"}:
                shapes = model.get("shapes", {})
                routes = [_compile_route(name, spec, shapes) for name, spec in specs.items()]
                routes.sort(key=RestRoute.specificity, reverse=True)
            cached = ServiceOperations(names=frozenset(specs), routes=routes)
            _operations[service] = cached
    return cached
