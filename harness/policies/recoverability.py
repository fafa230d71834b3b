"""Recoverability tier of each change: how hard it is to undo.

reversible                   config/tag/policy change or a create: apply the old settings back
recoverable                  a resource without data deleted/replaced: recreate it from the snapshot
recoverable from backup only data lost, but a backup survives (versioning, PITR, a DB snapshot)
unrecoverable                data lost and no backup survives the change
"""

from __future__ import annotations

from harness.diff.model import ChangeSet, ResourceChange
from harness.estate.snapshot import Snapshot

TIERS = ("reversible", "recoverable", "recoverable from backup only", "unrecoverable")


def _has_backup(change: ResourceChange, after: Snapshot | None) -> bool:
    before = change.before
    if before is None:
        return False
    cfg = before.config or {}
    if change.service == "s3":
        kept = change.action not in ("delete", "replace")
        return kept and (cfg.get("Versioning") or {}).get("Status") == "Enabled"
    if change.service == "dynamodb":
        pitr = ((cfg.get("ContinuousBackups") or {}).get("PointInTimeRecoveryDescription") or {})
        if change.action == "update":
            after_cfg = (change.after.config if change.after else {}) or {}
            pitr = ((after_cfg.get("ContinuousBackups") or {}).get("PointInTimeRecoveryDescription") or {})
        return pitr.get("PointInTimeRecoveryStatus") == "ENABLED"
    if change.service == "rds" and change.type in ("db", "cluster"):
        if after is None:
            return False
        return any(r.service == "rds" and r.type == "snapshot" and r.refs.get("db") == change.address
                   for r in after.resources.values())
    return False


def tier(change: ResourceChange, after: Snapshot | None) -> str:
    data = change.data
    lost = bool(data and data.in_production("deleted"))
    had_data = bool(change.before and change.before.data and (
        change.before.data.get("count") or change.before.data.get("unit") == "rows"))
    if change.action in ("delete", "replace") and (change.service, change.type) == ("rds", "snapshot"):
        return "unrecoverable"
    if change.action in ("create", "update") and not lost:
        if change.service == "kms" and any(f.path.endswith("KeyState") and f.after == "PendingDeletion"
                                           for f in change.fields):
            return "recoverable"
        return "reversible"
    if not lost and not (change.action in ("delete", "replace") and had_data):
        return "recoverable"
    return "recoverable from backup only" if _has_backup(change, after) else "unrecoverable"


def tiers(changes: ChangeSet, after: Snapshot | None) -> dict[str, str]:
    return {a: tier(c, after) for a, c in changes.changes.items()}


def worst(values: list[str]) -> str:
    return max(values, key=TIERS.index) if values else "reversible"
