"""``shadow run --format``: the choices come from the renderer registry; each writes its report."""

from __future__ import annotations

import pytest

from harness.cli import main
from harness.estate.snapshot import save
from harness.report import RENDERERS
from tests.report.conftest import AT
from tests.report.sims import aws_calls, write_bundle


def test_help_lists_every_registered_format(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--help"])
    assert exit_.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "{" + ",".join(RENDERERS.names()) + "}" in out
    assert {"text", "json", "markdown", "html"} <= set(RENDERERS.names())


def test_unknown_format_is_bad_input_naming_the_valid_ones(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(tmp_path), "--snapshot", str(tmp_path / "s.json"), "--format", "pdf"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'pdf'" in err and all(f"'{name}'" in err for name in RENDERERS.names())


@pytest.mark.parametrize("fmt, start", [("markdown", "## ✅ shadow: PROMOTED"), ("html", "<!DOCTYPE html>")])
def test_run_writes_the_report_in_that_format(production, tmp_path, capsys, fmt, start):
    bundle = write_bundle(
        tmp_path / "bundle", name="add-orders-dlq", summary="Create orders-dlq.",
        effects=[{"action": "create", "resource": "sqs:queue/orders-dlq"}],
        change=aws_calls({"service": "sqs", "operation": "CreateQueue", "params": {"QueueName": "orders-dlq"}}))
    snapshot = save(production, tmp_path / "snapshot.json")
    out = tmp_path / f"report.{fmt}"
    code = main(["run", str(bundle.root), "--snapshot", str(snapshot), "--format", fmt, "-o", str(out),
                 "--at", AT.isoformat()])
    assert code == 0, capsys.readouterr()
    assert out.read_text().startswith(start)
    assert str(out) in capsys.readouterr().out
