"""Configuration: the README's example is valid, and bad configuration is exit 2 with a where."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.config import load_config
from harness.errors import ConfigError

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_parses(tmp_path):
    text = README.read_text()
    block = re.search(r"## Configuration.*?```toml\n(.*?)```", text, re.S)
    assert block, "README has a Configuration toml example"
    (tmp_path / "shadow.toml").write_text(block.group(1))
    cfg = load_config(search=tmp_path)
    assert cfg.protected == ["rds:db/prod-*"]
    assert cfg.freeze and cfg.freeze[0].reason == "holiday freeze"
    assert cfg.severities == {"SHD-HARDWIRED-ENDPOINT": "block"}
    assert cfg.waivers[0].rule == "SHD-DATA-LOSS" and cfg.waivers[0].expires is not None


@pytest.mark.parametrize(("text", "expected"), [
    ("protectd = []\n", "Additional properties"),
    ("[policies]\nSHD-DATA-LOSS = 'loud'\n", "SHD-DATA-LOSS"),
    ("[[freeze]]\nstart = 'tomorrow'\nend = '2027-01-01'\n", "ISO 8601"),
    ("timeout = [\n", "not valid TOML"),
])
def test_bad_configuration(tmp_path, text, expected):
    (tmp_path / "shadow.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(search=tmp_path)
    assert expected in str(info.value) and "shadow.toml" in str(info.value)
    assert info.value.exit_code == 2


def test_pyproject_tool_shadow_is_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.shadow]\nprotected = ['s3:bucket/x']\n")
    assert load_config(search=tmp_path).protected == ["s3:bucket/x"]
