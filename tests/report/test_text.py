"""The terminal renderer over the same documents: headline first, then why and blast radius."""

from __future__ import annotations

import pytest

from harness.report import RENDERERS


@pytest.mark.parametrize("shape", ["promoted", "rejected", "inconclusive", "big"])
def test_headline_then_why_then_blast_radius(docs, shape):
    doc = docs[shape]
    out = RENDERERS.get("text")(doc)
    flat = " ".join(out.split())
    assert flat.startswith(" ".join(doc["headline"].split()))
    assert flat.index("Why") < flat.index("Blast radius") < flat.index("Intent vs effect")
    for line in doc["blast_radius"][:12]:
        assert " ".join(line["text"].split()) in flat
