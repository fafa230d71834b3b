"""Name the AWS operation behind a raw HTTP request, and judge its response.

Service: the SigV4 credential scope (Authorization header, or X-Amz-Credential of a
presigned URL), disambiguated by the host's endpoint prefix. Operation: X-Amz-Target
(JSON protocols), ``Action=`` (query protocols, form body or query string), the
``/service/S/operation/O`` path (Smithy RPC v2 CBOR), or method + path + query matched
against botocore's REST request-URI templates (S3, Lambda, ...).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from harness.isolation import catalog

PARSE_LIMIT = 256 * 1024  # bodies larger than this are forwarded but not parsed for params

_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/([A-Za-z0-9-]+)/aws4_request")
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")
_S3_VHOST = re.compile(r"^(?P<bucket>.+?)\.(?P<rest>s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?)$")
_CBOR_PATH = re.compile(r"^/service/[^/]+/operation/([^/]+)$")
_XML_CODE = re.compile(rb"<Code>([^<]{1,200})</Code>")
_SIGNING_ALIASES = {"monitoring": "cloudwatch"}  # host prefix -> service, where no credential scope says


@dataclass
class Request:
    """A request as the proxy saw it (headers keyed lower-case)."""

    method: str
    host: str  # host the client addressed, without port
    path: str  # raw (percent-encoded) path
    query: str  # raw query string
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Identity:
    service: str = "unknown"
    operation: str = "unknown"
    region: str | None = None
    params: dict = field(default_factory=dict)
    target: str | None = None


def credential_scope(request: Request) -> tuple[str | None, str | None]:
    """(region, signing name) from the SigV4 Authorization header or presigned query."""
    text = request.headers.get("authorization", "")
    found = _CREDENTIAL.search(text)
    if found is None and "X-Amz-Credential=" in request.query:
        credential = parse_qs(request.query).get("X-Amz-Credential", [""])[0]
        found = _CREDENTIAL.search(f"Credential={credential}")
    return (found.group(1), found.group(2)) if found else (None, None)


def split_s3_virtual_host(host: str) -> tuple[str | None, str]:
    """("bucket", "s3.region.amazonaws.com") for a virtual-host style S3 name, else (None, host)."""
    found = _S3_VHOST.match(host)
    if found and not found.group("rest").startswith(("s3-control", "s3-accesspoint", "s3-object-lambda")):
        return found.group("bucket"), found.group("rest")
    return None, host


def _host_hints(host: str) -> tuple[str | None, str | None, str | None]:
    """(bucket, endpoint prefix, region) that an AWS host name carries."""
    bucket, rest = split_s3_virtual_host(host)
    labels = rest.split(".")
    if not rest.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws")) or len(labels) < 3:
        return None, None, None
    if labels[0].isdigit():  # {account}.s3-control.{region}.amazonaws.com
        labels = labels[1:]
    prefix = labels[0]
    if prefix.startswith("s3-") and _REGION.match(prefix[3:]):
        return bucket, "s3", prefix[3:]
    region = next((label for label in labels[1:] if _REGION.match(label)), None)
    return bucket, prefix, region


def _flat(values: dict[str, list[str]]) -> dict[str, object]:
    return {key: vals[0] if len(vals) == 1 else vals for key, vals in values.items()}


def _json_body(request: Request) -> dict:
    if not request.body or len(request.body) > PARSE_LIMIT:
        return {}
    try:
        value = json.loads(request.body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _form(request: Request) -> dict[str, list[str]]:
    values = parse_qs(request.query, keep_blank_values=True)
    content_type = request.headers.get("content-type", "")
    if "x-www-form-urlencoded" in content_type and 0 < len(request.body) <= PARSE_LIMIT:
        for key, vals in parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True).items():
            values.setdefault(key, []).extend(vals)
    return values


def _candidates(signing: str | None, prefix: str | None) -> list[str]:
    """Services that may have sent this request, most likely first: the service named like
    the signing name (when the host does not say otherwise), then those whose endpoint prefix
    is the host's, then every other service signing with that name."""
    idx = catalog.index()
    signed = ([signing] if signing in idx.services else []) + idx.by_signing.get(signing or "", [])
    if prefix is None:
        return list(dict.fromkeys(signed))
    by_host = [n for n in idx.by_prefix.get(prefix, []) if not signing or idx.services[n].signing_name == signing]
    first = [n for n in signed[:1] if idx.services[n].endpoint_prefix == prefix]
    fallback = [] if signing else [_SIGNING_ALIASES.get(prefix, prefix)]  # unsigned: trust the host
    return [n for n in dict.fromkeys(first + by_host + signed + fallback) if n in idx.services]


def _rest(service: str, request: Request, bucket: str | None) -> tuple[str, dict] | None:
    routes = catalog.operations(service).routes
    if not routes:
        return None
    path = request.path or "/"
    if bucket:
        path = f"/{bucket}" + ("" if path == "/" else path)
    query = parse_qs(request.query, keep_blank_values=True)
    for route in routes:
        labels = route.match(request.method, path, query, request.headers)
        if labels is not None:
            params: dict = _flat(query)
            if "json" in request.headers.get("content-type", "") or service in _REST_JSON:
                params.update(_json_body(request))
            if (service, route.operation) == ("s3", "DeleteObjects"):
                params.update(_deleted_keys(request))
            params.update(labels)
            return route.operation, params
    return None


_REST_JSON = {"lambda", "apigateway", "apigatewayv2", "ecr-public"}
_XML_KEY = re.compile(rb"<Key>([^<]*)</Key>")


def _deleted_keys(request: Request) -> dict:
    """``{"Delete": {"Objects": [{"Key": ...}]}}`` from an S3 DeleteObjects XML body, so that the
    trace names the objects (an incremental after-capture re-reads just those)."""
    if not request.body or len(request.body) > PARSE_LIMIT:
        return {}
    keys = [html.unescape(k.decode("utf-8", "replace")) for k in _XML_KEY.findall(request.body)]
    return {"Delete": {"Objects": [{"Key": k} for k in keys]}} if keys else {}


def identify(request: Request) -> Identity:
    """Service, operation, region, params and target of one request (``unknown`` when unsure)."""
    region, signing = credential_scope(request)
    bucket, prefix, host_region = _host_hints(request.host.lower())
    found = Identity(region=region or host_region)
    amz_target = request.headers.get("x-amz-target")
    form = None if amz_target else _form(request)
    action = (form or {}).get("Action", [None])[0]
    version = (form or {}).get("Version", [None])[0]
    cbor = _CBOR_PATH.match(request.path) if request.method == "POST" else None
    candidates = _candidates(signing, prefix)
    if not candidates and amz_target:  # unsigned JSON request: the target prefix names the service
        by_target = catalog.index().by_target_prefix.get(amz_target.rpartition(".")[0])
        candidates = [by_target] if by_target else []
    for service in candidates:
        info = catalog.index().services[service]
        if amz_target:
            target_prefix, _, operation = amz_target.rpartition(".")
            if info.target_prefix and info.target_prefix != target_prefix:
                continue
            found.service, found.operation, found.params = service, operation, _json_body(request)
        elif action:
            if action not in catalog.operations(service).names:
                continue
            if version and info.api_version and version != info.api_version:
                continue  # elb and elbv2 share a host, signing name and operation names
            params = _flat(form or {})
            for key in ("Action", "Version"):
                params.pop(key, None)
            found.service, found.operation, found.params = service, action, params
        elif cbor:
            found.service, found.operation = service, cbor.group(1)
        else:
            matched = _rest(service, request, bucket)
            if matched is None:
                continue
            found.service, (found.operation, found.params) = service, matched
        break
    else:
        found.service = candidates[0] if candidates else (signing or "unknown")
        if amz_target:
            found.operation = amz_target.rpartition(".")[2]
        elif action:
            found.operation = action
    found.target = guess_target(found.params)
    return found


TARGET_KEYS = (
    "Bucket", "TableName", "QueueUrl", "QueueName", "FunctionName", "RoleName", "RoleArn", "UserName", "GroupName",
    "PolicyArn", "InstanceProfileName", "DBInstanceIdentifier", "DBClusterIdentifier",
    "DBSnapshotIdentifier", "StackName", "TopicArn", "SecretId", "KeyId", "LogGroupName", "StateMachineArn",
    "ClusterName", "RepositoryName", "VpcId", "SubnetId", "GroupId", "InstanceId", "InstanceId.1",
    "VolumeId", "ResourceArn", "Name",
)


def _short(value: str) -> str:
    """The resource name inside a queue URL or an ARN; other values unchanged."""
    if value.startswith(("http://", "https://")):
        return urlsplit(value).path.rstrip("/").rsplit("/", 1)[-1] or value
    if value.startswith("arn:"):
        return re.split(r"[:/]", value.split(":", 5)[-1])[-1]
    return value


def guess_target(params: dict) -> str | None:
    """Best guess of the resource a call acts on (documented key order, then *Name/*Id keys)."""
    keys = [k for k in TARGET_KEYS if isinstance(params.get(k), str)]
    keys += [k for k, v in params.items() if isinstance(v, str) and k.endswith(("Name", "Identifier", "Id", "Id.1"))]
    return _short(params[keys[0]]) if keys else None


READ_PREFIXES = ("Get", "List", "Describe", "Head", "Query", "Scan", "BatchGet", "Select", "Search",
                 "Lookup", "Simulate", "Estimate", "Preview", "Validate", "Test", "Filter", "View")


def is_mutating(operation: str, method: str) -> bool:
    """Rule: reads are operations named Get*, List*, Describe*, Head*, Query, Scan, BatchGet*,
    Select*, Search*, Lookup*, Simulate*, Estimate*, Preview*, Validate*, Test*, Filter*, View*;
    every other named operation mutates (fail closed: AssumeRole and ReceiveMessage count as
    mutating). An unidentified operation mutates unless its HTTP method is GET/HEAD/OPTIONS."""
    if operation and operation != "unknown":
        return not operation.startswith(READ_PREFIXES)
    return method.upper() not in ("GET", "HEAD", "OPTIONS")


def error_code(status: int, headers: dict[str, str], body: bytes) -> str | None:
    """The AWS error code of a response (x-amzn-ErrorType, JSON __type/code, XML <Code>)."""
    if status < 300:
        return None
    header = headers.get("x-amzn-errortype") or headers.get("x-amz-error-code")
    if header:
        return header.split(":", 1)[0].rsplit("#", 1)[-1] or None
    head = body[:PARSE_LIMIT].lstrip()
    if head.startswith(b"{"):
        try:
            value = json.loads(head)
        except ValueError:
            value = {}
        code = value.get("__type") or value.get("code") or value.get("Code") if isinstance(value, dict) else None
        return str(code).rsplit("#", 1)[-1] if code else None
    found = _XML_CODE.search(head)
    return found.group(1).decode("utf-8", "replace") if found else None


_GAP_WORDS = (b"has not been implemented", b"not yet implemented", b"NotImplemented")


def is_emulator_gap(status: int, code: str | None, headers: dict[str, str], body: bytes, method: str) -> bool:
    """The sandbox could not do it: any 5xx (moto answers a NotImplementedError with a bare 500
    page, LocalStack with 501), a NotImplemented code, or the emulator's own HTML "404 Not Found"
    page for a route it does not serve (a real AWS 404 carries an AWS error body)."""
    if status >= 500 or code in ("NotImplemented", "NotImplementedError", "InternalFailure"):
        return True
    if status >= 400 and any(word in body[:4096] for word in _GAP_WORDS):
        return True
    html = "text/html" in headers.get("content-type", "")
    return status == 404 and method != "HEAD" and code is None and html and b"<title>404" in body[:4096]
