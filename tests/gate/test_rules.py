"""Every gate rule, each tried by a test that attempts to break it and is refused."""

from __future__ import annotations

import pytest

from harness.errors import GateRefused, NotPermitted
from harness.gate import approvals
from harness.gate.model import APPROVED, QUEUED, REJECTED, SUPERSEDED
from tests.gate.conftest import Person
from tests.gate.recorded import delete_submission, queue_submission, undeclared_submission


def sign_for(gate, person: Person, sid: int, decision: str = "approve") -> tuple[dict, str]:
    stmt = gate.statement(sid, person.user.name, decision)
    return stmt, approvals.sign(stmt, str(person.key))


def approve(gate, person: Person, sid: int, **kw):
    stmt, sig = sign_for(gate, person, sid)
    return gate.review(person.user, sid, stmt, sig, **kw)


@pytest.fixture
def benign(gate, people, tmp_path):
    bundle, snap, doc = queue_submission(tmp_path / "benign")
    return gate.submit(people["bot"].user, bundle, snap, doc)


def test_benign_bundle_is_queued_and_one_approval_makes_it_ready(gate, people, benign):
    assert benign.status == QUEUED and benign.approvals_required == 1
    assert not gate.assess(benign.id).ready
    approve(gate, people["ana"], benign.id)
    assessment = gate.assess(benign.id)
    assert assessment.ready and assessment.approvers == ["user:ana"]
    assert gate.get(benign.id).status == APPROVED


def test_author_can_never_approve_own_bundle(gate, people, tmp_path):
    bundle, snap, doc = queue_submission(tmp_path / "own", author="user:ana")
    sub = gate.submit(people["ana"].user, bundle, snap, doc)
    with pytest.raises(NotPermitted, match="author of submission"):
        approve(gate, people["ana"], sub.id)
    assert gate.reviews(sub.id) == []


def test_submitter_counts_as_author_even_when_the_bundle_names_someone_else(gate, people, tmp_path):
    bundle, snap, doc = queue_submission(tmp_path / "own", author="user:ben")
    sub = gate.submit(people["ana"].user, bundle, snap, doc)
    with pytest.raises(NotPermitted, match="author"):
        approve(gate, people["ana"], sub.id)


def test_destructive_bundle_needs_two_distinct_approvers(gate, people, tmp_path):
    bundle, snap, doc = delete_submission(tmp_path / "drop")
    sub = gate.submit(people["bot"].user, bundle, snap, doc)
    assert sub.destructive and sub.approvals_required == 2
    approve(gate, people["ana"], sub.id, confirm="sqs:queue/legacy")
    one = gate.assess(sub.id)
    assert not one.ready and "needs 1 more approval" in one.problems[0]
    with pytest.raises(GateRefused, match="already made this decision"):
        approve(gate, people["ana"], sub.id, confirm="sqs:queue/legacy")
    approve(gate, people["ben"], sub.id, confirm="sqs:queue/legacy")
    assert gate.assess(sub.id).approvers == ["user:ana", "user:ben"]


def test_destructive_approval_requires_typing_the_most_destructive_address(gate, people, tmp_path):
    bundle, snap, doc = delete_submission(tmp_path / "drop")
    sub = gate.submit(people["bot"].user, bundle, snap, doc)
    for typed in (None, "", "sqs:queue/orders"):
        with pytest.raises(GateRefused, match="type sqs:queue/legacy to confirm"):
            approve(gate, people["ana"], sub.id, confirm=typed)


def test_approval_cannot_be_replayed_onto_another_digest(gate, people, benign, tmp_path):
    stmt, sig = sign_for(gate, people["ana"], benign.id)
    bundle, snap, doc = queue_submission(tmp_path / "other", queue="payments-dlq", name="add-payments-dlq")
    other = gate.submit(people["bot"].user, bundle, snap, doc)
    with pytest.raises(GateRefused, match="cannot be replayed onto another digest"):
        gate.review(people["ana"].user, other.id, stmt, sig)
    # rewriting the statement for the other submission breaks the signature
    forged = approvals.statement(other, "approve", "user:ana", issued_at=gate.now())
    with pytest.raises(GateRefused, match="does not verify"):
        gate.review(people["ana"].user, other.id, forged, sig)
    assert gate.reviews(other.id) == []


def test_changed_bundle_voids_earlier_approvals(gate, people, benign, tmp_path):
    stmt, sig = sign_for(gate, people["ana"], benign.id)
    gate.review(people["ana"].user, benign.id, stmt, sig)
    assert gate.assess(benign.id).ready
    # the agent changes the bundle (another queue name) and submits it again under the same name
    bundle, snap, doc = queue_submission(tmp_path / "benign", queue="orders-dlq-2")
    newer = gate.submit(people["bot"].user, bundle, snap, doc)
    old = gate.get(benign.id)
    assert old.status == SUPERSEDED
    assessment = gate.assess(benign.id)
    assert not assessment.ready and assessment.approvers == []
    assert "superseded" in assessment.ignored[0][1]
    assert not gate.assess(newer.id).ready
    with pytest.raises(GateRefused, match="replayed"):
        gate.review(people["ana"].user, newer.id, stmt, sig)


def test_approval_for_a_digest_the_store_no_longer_holds_does_not_count(gate, people, benign):
    approve(gate, people["ana"], benign.id)
    sub = gate.get(benign.id)
    sub.report_digest = "sha256:" + "1" * 64  # what the gate would see if the stored report were swapped
    reviews = gate.reviews(benign.id)
    result = approvals.assess(sub, reviews, gate.users(), now=gate.now())
    assert not result.ready and "other digests" in result.ignored[0][1]


def test_expired_approval_does_not_count(gate, people, benign, clock):
    approve(gate, people["ana"], benign.id)
    assert gate.assess(benign.id).ready
    clock.advance(hours=24, seconds=1)
    assessment = gate.assess(benign.id)
    assert not assessment.ready and assessment.ignored[0][1].startswith("expired")


def test_statement_signed_after_its_expiry_is_refused(gate, people, benign, clock):
    stmt, sig = sign_for(gate, people["ana"], benign.id)
    clock.advance(hours=25)
    with pytest.raises(GateRefused, match="expired"):
        gate.review(people["ana"].user, benign.id, stmt, sig)


def test_statement_valid_longer_than_the_maximum_is_refused(gate, people, benign):
    sub = gate.get(benign.id)
    import datetime as dt

    stmt = approvals.statement(sub, "approve", "user:ana", issued_at=gate.now(), ttl=dt.timedelta(days=30))
    with pytest.raises(GateRefused, match="longer than the allowed"):
        gate.review(people["ana"].user, benign.id, stmt, approvals.sign(stmt, str(people["ana"].key)))


def test_any_rejection_blocks(gate, people, tmp_path):
    bundle, snap, doc = delete_submission(tmp_path / "drop")
    sub = gate.submit(people["bot"].user, bundle, snap, doc)
    approve(gate, people["ana"], sub.id, confirm="sqs:queue/legacy")
    stmt, sig = sign_for(gate, people["cy"], sub.id, "reject")
    gate.review(people["cy"].user, sub.id, stmt, sig, comment="not during the migration")
    assert gate.get(sub.id).status == REJECTED
    with pytest.raises(GateRefused, match="is rejected"):
        approve(gate, people["ben"], sub.id, confirm="sqs:queue/legacy")
    assessment = gate.assess(sub.id)
    assert not assessment.ready and assessment.rejected_by == ["user:cy"]


def test_agent_token_cannot_approve_or_waive(gate, people, benign, tmp_path):
    bot = gate.authenticate(people["bot"].token)
    stmt = gate.statement(benign.id, bot.name)
    with pytest.raises(NotPermitted, match="only reviewers"):
        gate.review(bot, benign.id, stmt, "AAAA")
    bundle, snap, doc = undeclared_submission(tmp_path / "sneaky")
    rejected = gate.submit(bot, bundle, snap, doc)
    with pytest.raises(NotPermitted, match="only reviewers waive"):
        gate.waive(bot, rejected.id, "SHD-UNDECLARED", "trust me")
    assert gate.reviews(benign.id) == [] and gate.waivers(rejected.id) == []


def test_forged_signature_is_refused(gate, people, benign):
    stmt = gate.statement(benign.id, "user:ana")
    mallory_sig = approvals.sign(stmt, str(people["ben"].key))  # signed with another key
    with pytest.raises(GateRefused, match="does not verify"):
        gate.review(people["ana"].user, benign.id, stmt, mallory_sig)
    with pytest.raises(GateRefused, match="does not verify"):
        gate.review(people["ana"].user, benign.id, stmt, "bm90IGEgc2lnbmF0dXJl")


def test_statement_made_out_to_someone_else_is_refused(gate, people, benign):
    stmt, sig = sign_for(gate, people["ben"], benign.id)
    with pytest.raises(NotPermitted, match="made out to user:ben"):
        gate.review(people["ana"].user, benign.id, stmt, sig)


def test_rejected_verdict_is_not_reviewable_until_every_blocking_finding_is_waived(gate, people, tmp_path):
    bundle, snap, doc = undeclared_submission(tmp_path / "sneaky")
    sub = gate.submit(people["bot"].user, bundle, snap, doc)
    assert sub.status == REJECTED
    with pytest.raises(GateRefused, match="is rejected"):
        approve(gate, people["ana"], sub.id)
    blocking = sorted({f["rule"] for f in sub.findings if f["blocking"]})
    assert blocking, "the undeclared delete must block"
    for rule in blocking:
        gate.waive(people["ana"].user, sub.id, rule, "legacy queue is being retired in this change")
    after = gate.get(sub.id)
    assert after.status == QUEUED
    approve(gate, people["ana"], sub.id, confirm="sqs:queue/legacy")
    assessment = gate.assess(sub.id)
    assert assessment.required == 2 and not assessment.ready


def test_unknown_token_is_refused(gate, people):
    with pytest.raises(NotPermitted, match="unknown"):
        gate.authenticate("shd_not-a-real-token")
    with pytest.raises(NotPermitted, match="no token"):
        gate.authenticate(None)
