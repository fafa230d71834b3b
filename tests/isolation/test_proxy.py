"""The proxy on its own, in this process, in front of a real moto server."""

from __future__ import annotations

import http.client
import os
import socket
import ssl
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from harness.isolation.ca import ThrowawayCA
from harness.isolation.proxy import Proxy

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/sts/aws4_request, "
        "SignedHeaders=host, Signature=abc")


@pytest.fixture
def proxy(fresh_prod) -> Iterator[Proxy]:
    with Proxy(fresh_prod.endpoint, ThrowawayCA()) as running:
        yield running


def client(proxy: Proxy, service: str):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{proxy.port}", region_name="us-east-1",
                        aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="example",
                        config=Config(proxies={}, retries={"mode": "standard", "total_max_attempts": 1}))


def test_keep_alive_on_both_sides(proxy: Proxy):
    sqs = client(proxy, "sqs")
    for index in range(6):
        sqs.create_queue(QueueName=f"q{index}")
    assert proxy.accepted == 1
    assert proxy.upstream_opened == 1
    assert [c.target for c in proxy.calls("us-east-1")] == [f"q{i}" for i in range(6)]


def test_large_bodies_stream_through_unchanged(proxy: Proxy):
    s3 = client(proxy, "s3")
    s3.create_bucket(Bucket="big")
    payload = os.urandom(5 * 1024 * 1024 + 17)  # larger than the proxy buffers in one piece
    s3.put_object(Bucket="big", Key="blob", Body=payload)
    assert s3.get_object(Bucket="big", Key="blob")["Body"].read() == payload
    assert [c.operation for c in proxy.calls("us-east-1")] == ["CreateBucket", "PutObject", "GetObject"]


def test_errors_and_emulator_gaps_are_told_apart(proxy: Proxy):
    ddb = client(proxy, "dynamodb")
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_table(TableName="missing")
    with pytest.raises(ClientError, match="500"):  # moto has no DescribeContributorInsights: a bare 500
        ddb.describe_contributor_insights(TableName="missing")
    missing, unimplemented = proxy.calls("us-east-1")
    assert (missing.status, missing.error_code, missing.emulator_gap) == (400, "ResourceNotFoundException", False)
    assert unimplemented.operation == "DescribeContributorInsights"
    assert unimplemented.status == 500 and unimplemented.emulator_gap is True


def test_tunnel_offers_http11_and_is_traced_as_hardwired(proxy: Proxy, fresh_prod):
    context = ssl.create_default_context(cadata=proxy.ca.cert_pem.decode())
    context.set_alpn_protocols(["h2", "http/1.1"])
    conn = http.client.HTTPSConnection("127.0.0.1", proxy.port, context=context, timeout=30)
    conn.set_tunnel("sts.amazonaws.com", 443)
    conn.request("POST", "/", body="Action=GetCallerIdentity&Version=2011-06-15",
                 headers={"Authorization": AUTH, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    body = response.read()
    assert conn.sock.selected_alpn_protocol() == "http/1.1"
    conn.close()
    assert response.status == 200 and fresh_prod.account.encode() in body
    (call,) = proxy.calls("us-east-1")
    assert (call.service, call.operation, call.host, call.hardwired) == ("sts", "GetCallerIdentity",
                                                                        "sts.amazonaws.com", True)


def test_unreachable_sandbox_is_a_gap_never_a_success():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"  # bound, never listening: refused
        with Proxy(dead, ThrowawayCA()) as proxy:
            with pytest.raises(ClientError, match="ShadowSandboxUnreachable"):
                client(proxy, "sts").get_caller_identity()
            (call,) = proxy.calls("us-east-1")
    assert (call.status, call.error_code, call.emulator_gap) == (502, "ShadowSandboxUnreachable", True)
