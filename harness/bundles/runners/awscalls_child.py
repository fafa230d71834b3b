"""Child process of the aws-calls runner: execute calls in order, print one JSON line each.

Runs inside the isolation layer (endpoint pinned through AWS_ENDPOINT_URL, throwaway
credentials). Stops at the first failed call (exit 1). No retries, so that an
emulator gap shows at once and a failed call is not repeated.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

GAP_MARKERS = ("not been implemented", "NotImplemented", "Internal Server Error", "invalid XML received")


def main(path: str) -> int:
    with open(path) as handle:
        calls: list[dict[str, Any]] = json.load(handle)
    session = boto3.Session()
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=300)
    clients: dict[tuple[str, str], Any] = {}
    default_region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    for index, call in enumerate(calls):
        service, operation = call["service"], call["operation"]
        region = call.get("region") or default_region
        key = (service, region)
        if key not in clients:
            clients[key] = session.client(service, region_name=region, config=config)
        result: dict[str, Any] = {"index": index, "service": service, "operation": operation, "ok": True}
        try:
            getattr(clients[key], xform_name(operation))(**(call.get("params") or {}))
        except ClientError as exc:
            err = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            result.update(ok=False, error_code=err.get("Code"), message=err.get("Message", ""), status=status,
                          emulator_gap=status in (500, 501) or any(m in str(exc) for m in GAP_MARKERS))
        except BotoCoreError as exc:
            text = str(exc)
            result.update(ok=False, error_code=type(exc).__name__, message=text[:500],
                          emulator_gap=any(m in text for m in GAP_MARKERS))
        print(json.dumps(result), flush=True)
        if not result["ok"]:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
