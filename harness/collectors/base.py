"""What every collector shares: the capture context, error-to-gap handling, rules.

A collector reads one AWS service through boto3, read-only, and yields ``Resource``s.
It never crashes on a permission error or an unsupported API: ``CaptureContext.call``
turns those into a recorded ``Gap`` (the resource is *unknown*, not absent) and
returns ``None``. Expected "absence" errors (NoSuchBucketPolicy, ...) are passed as
``absent=`` and simply return ``None``.

An incremental capture (``collectors/incremental.py``) gives the context a ``Partial``:
after listing, a collector reads the details of a resource only when ``ctx.carry``
says no (the resource is new, or focused); a listed resource it carries over is
recorded, and the capture takes it from the previous snapshot.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from harness.aws import Target
from harness.errors import EndpointUnreachable
from harness.estate.address import make_address
from harness.estate.canonical import jsonable, short_hash
from harness.estate.snapshot import Gap, Resource

T = TypeVar("T")
R = TypeVar("R")

ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "AuthorizationErrorException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "Forbidden",
}
UNSUPPORTED = {
    "NotImplemented",
    "NotImplementedError",
    "InvalidAction",
    "UnknownOperationException",
    "UnsupportedOperation",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "501",
}


@dataclass(frozen=True)
class Limits:
    """Bounds on data metadata, so a capture of a huge account stays bounded."""

    objects: int = 10_000  # S3 object metadata entries per bucket
    items_sample: int = 1_000  # DynamoDB items kept whole (seeded into the sandbox)
    items_hashed: int = 100_000  # DynamoDB items hashed (for data diffs)
    messages_seeded: int = 100  # placeholder messages per queue seeded into a sandbox

    def to_json(self) -> dict[str, int]:
        return {
            "objects": self.objects,
            "items_sample": self.items_sample,
            "items_hashed": self.items_hashed,
            "messages_seeded": self.messages_seeded,
        }


@dataclass(frozen=True)
class ServiceRules:
    """Per-service, per-type field rules, kept as data next to the collector.

    ``volatile``: dot paths (``*`` = one segment) that change without anyone changing
    the resource (timestamps, status, counters); ignored when comparing.
    ``identity``: paths that change only when a resource is deleted and recreated;
    compared only to detect a replace. ``reseeded``: paths that differ between
    production and a sandbox seeded from it by construction (placeholder object
    bodies); ignored only when comparing a sandbox with its snapshot. ``why`` says
    why, for the reviewer. Paths start at the resource (``config.``, ``data.``).
    ``unordered``: lists that are sets (security group rules, subnet ids); they are
    sorted after ids are linked to addresses, so their order never depends on ids
    the emulator generated.
    """

    volatile: dict[str, tuple[str, ...]] = field(default_factory=dict)
    identity: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reseeded: dict[str, tuple[str, ...]] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    unordered: dict[str, tuple[str, ...]] = field(default_factory=dict)


FULL_DATA = "full"  # Focus.data: list/scan all of the resource's data
CARRY_DATA = "carry"  # Focus.data: the data cannot have changed; take it from the previous snapshot


@dataclass(frozen=True)
class Focus:
    """What to re-read of one resource the previous snapshot holds.

    ``config``: its settings, tags and policies (else they are taken from before).
    ``data``: ``FULL_DATA``, ``CARRY_DATA``, or a frozenset of item/object keys to read
    one by one (DynamoDB item keys as ``item_key`` text, S3 object keys). Collectors
    without data increments treat any focus as a full re-read.
    """

    config: bool = True
    data: str | frozenset[str] = FULL_DATA


READ_ALL = Focus()


@dataclass
class Partial:
    """One service's part of an incremental capture: the previous state and what to re-read.

    ``known``: the previous snapshot's resources of this service by *sandbox* address
    (as collectors compute it); ``focus``: addresses to re-read. A known address
    without focus that is listed again is carried over.
    """

    known: dict[str, Resource] = field(default_factory=dict)
    focus: dict[str, Focus] = field(default_factory=dict)


class CaptureContext:
    """One (service, region) capture task: clients, limits, gap recording."""

    def __init__(self, target: Target, region: str, primary_region: str, account: str,
                 limits: Limits, service: str, workers: int = 8, partial: Partial | None = None):
        self.target = target
        self.region = region
        self.primary_region = primary_region
        self.account = account
        self.limits = limits
        self.service = service
        self.workers = workers
        self.partial = partial
        self.gaps: list[Gap] = []
        self.kept: set[str] = set()  # listed, carried over from the previous snapshot
        self._lock = threading.Lock()

    def fresh(self, address: str) -> bool:
        """Must this resource be read? Always in a full capture; else when it is new or focused."""
        return self.partial is None or address not in self.partial.known or address in self.partial.focus

    def carry(self, address: str, same: str | None = None) -> bool:
        """Carry this listed resource over instead of reading it? (recorded when so)

        Never in a full capture; in an incremental one when the previous snapshot holds
        it and nothing focuses it. ``same``: the id or ARN the listing gives, when it has
        one: a resource now answering to the address under another id (a Name tag or an
        alias moved to it) is read, never mistaken for the one before.
        """
        if self.fresh(address):
            return False
        known = self.partial.known[address] if self.partial is not None else None
        if same is not None and known is not None and same not in (known.id, known.arn):
            return False
        with self._lock:
            self.kept.add(address)
        return True

    def focus(self, address: str) -> Focus:
        """What to read of a resource that is not carried: everything, unless focused narrower."""
        if self.partial is None or address not in self.partial.known:
            return READ_ALL
        return self.partial.focus.get(address, READ_ALL)

    def known(self, address: str) -> Resource | None:
        """The previous snapshot's resource at this (sandbox) address, in an incremental capture."""
        return self.partial.known.get(address) if self.partial is not None else None

    def client(self, name: str | None = None, region: str | None = None) -> Any:
        return self.target.client(name or self.service, region or self.region)

    def address(self, rtype: str, name: str, region: str | None = None) -> str:
        return make_address(self.service, rtype, name, region or self.region, self.primary_region)

    def resource(self, rtype: str, name: str, *, region: str | None = None,
                 address: str | None = None, **fields: Any) -> Resource:
        """Build a Resource with its address; values pass through ``jsonable``.

        Pass ``address`` for globally unique names (S3 buckets, IAM) so that no
        ``@region`` suffix is added.
        """
        region = region or self.region
        clean = {k: jsonable(v) for k, v in fields.items()}
        return Resource(
            address=address or self.address(rtype, name, region),
            service=self.service,
            type=rtype,
            name=name,
            region=region,
            **clean,
        )

    def gap(self, operation: str, reason: str, message: str, address: str | None = None) -> None:
        with self._lock:
            self.gaps.append(Gap(self.service, self.region, operation, reason, message[:500], address))

    def call(self, client: Any, operation: str, *, address: str | None = None,
             absent: Iterable[str] = (), record: bool = True, **params: Any) -> dict[str, Any] | None:
        """Call a read operation; a denial or gap is recorded and gives ``None``.

        ``record=False``: a failure gives ``None`` without a gap, for a narrow read whose
        caller falls back to a wider one that records its own gaps.
        """
        method = getattr(client, _snake(operation))
        try:
            return method(**params)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in set(absent):
                return None
            if record:
                self._record(operation, exc, code, address)
            return None
        except EndpointConnectionError as exc:
            raise EndpointUnreachable(
                f"nothing answers at {exc.kwargs.get('endpoint_url', 'the endpoint')}",
                hint="Check the endpoint URL and that the server is running",
            ) from None
        except (ResponseParserError, BotoCoreError) as exc:
            if record:
                self.gap(operation, "unsupported" if _looks_unsupported(exc) else "error", str(exc), address)
            return None

    def paginate(self, client: Any, operation: str, key: str, *, address: str | None = None,
                 absent: Iterable[str] = (), **params: Any) -> list[Any] | None:
        """All items under ``key`` across pages, or ``None`` if the listing failed."""
        out: list[Any] = []
        try:
            if client.can_paginate(_snake(operation)):
                for page in client.get_paginator(_snake(operation)).paginate(**params):
                    out.extend(page.get(key, []))
                return out
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in set(absent):
                return []
            self._record(operation, exc, code, address)
            return None
        except EndpointConnectionError as exc:
            raise EndpointUnreachable(
                f"nothing answers at {exc.kwargs.get('endpoint_url', 'the endpoint')}",
                hint="Check the endpoint URL and that the server is running",
            ) from None
        except (ResponseParserError, BotoCoreError) as exc:
            self.gap(operation, "unsupported" if _looks_unsupported(exc) else "error", str(exc), address)
            return None
        page = self.call(client, operation, address=address, absent=absent, **params)
        return None if page is None else list(page.get(key, []))

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Run ``fn`` over ``items`` on a bounded pool (per-resource detail reads)."""
        items = list(items)
        if len(items) <= 1 or self.workers <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(items))) as pool:
            return list(pool.map(fn, items))

    def _record(self, operation: str, exc: ClientError, code: str, address: str | None) -> None:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in ACCESS_DENIED or status == 403:
            reason = "access-denied"
        elif code in UNSUPPORTED or status in (500, 501):
            reason = "unsupported"
        else:
            reason = "error"
        self.gap(operation, reason, f"{code}: {exc.response.get('Error', {}).get('Message', '')}", address)


def _looks_unsupported(exc: Exception) -> bool:
    text = str(exc)
    return "not been implemented" in text or "500" in text or "Internal Server Error" in text


def _snake(operation: str) -> str:
    """``ListBuckets`` -> ``list_buckets`` (boto3 method names)."""
    if "_" in operation or operation.islower():
        return operation
    from botocore import xform_name

    return xform_name(operation)


class Collector:
    """Base class: one AWS service. Subclasses set the ClassVars and ``collect``."""

    service: ClassVar[str]  # shadow's service name, the address prefix (``s3``)
    client_name: ClassVar[str]  # botocore client name (``s3``, ``lambda``, ...)
    is_global: ClassVar[bool] = False  # IAM, S3 listing: read once, not per region
    types: ClassVar[tuple[str, ...]] = ()  # resource types this collector yields
    rules: ClassVar[ServiceRules] = ServiceRules()

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        raise NotImplementedError

    def each_listed(self, ctx: CaptureContext, operation: str, key: str, read: Callable[[Any], Resource | None],
                    address: Callable[[Any], tuple[str, str | None]] | None = None,
                    **params: Any) -> Iterator[Resource]:
        """``read`` every item of a listing on the pool; a failed listing yields nothing (it is a gap).

        ``address`` gives a listed item's address and its id or ARN (if the listing shows
        one), so that an incremental capture can carry it over unread (``CaptureContext.carry``).
        """
        items = ctx.paginate(ctx.client(), operation, key, **params)
        if items is not None:
            if address is not None:
                items = [i for i in items if not ctx.carry(*address(i))]
            yield from (r for r in ctx.map(read, items) if r)


def tags_dict(tags: Iterable[dict[str, Any]] | dict[str, Any] | None,
              key: str = "Key", value: str = "Value") -> dict[str, str]:
    """Normalize the many AWS tag shapes into ``{key: value}``."""
    if not tags:
        return {}
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(t[key]): str(t.get(value, "")) for t in tags}


REDACTED = "shadow-redacted:"
SECRET_NAME = re.compile(r"pass|secret|token|private|credential|api_?key|access_?key", re.IGNORECASE)


def redact(name: str, value: Any) -> Any:
    """A secret-looking setting's value (``DB_PASSWORD``) as a hash, never the value itself.

    The redacted text is stable (``shadow-redacted:<hash>``) and seeders write it as the
    value, so a sandbox reads back the same text and changes to the secret still show.
    """
    if not isinstance(value, str) or not SECRET_NAME.search(name) or value.startswith(REDACTED):
        return value
    return REDACTED + short_hash(value)


def parse_policy(doc: Any) -> Any:
    """A policy document as JSON (IAM returns URL-encoded strings via some APIs)."""
    import json
    from urllib.parse import unquote

    if doc is None or isinstance(doc, dict | list):
        return doc
    text = str(doc)
    for candidate in (text, unquote(text)):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    return {"$unparsed": text}
