"""Data policies: data lost, records fabricated, backups removed."""

from __future__ import annotations

from collections.abc import Iterator

from harness.diff.model import ResourceChange
from harness.findings import Finding
from harness.policies.base import Policy, PolicyContext

BACKUP_FIELDS = {
    # path (suffix) -> (value that means "protection off", label)
    "PointInTimeRecoveryDescription.PointInTimeRecoveryStatus": ("DISABLED", "point-in-time recovery"),
    "DeletionProtectionEnabled": (False, "deletion protection"),
    "DeletionProtection": (False, "deletion protection"),
    "BackupRetentionPeriod": (0, "automated backups"),
    "Versioning.Status": ("Suspended", "object versioning"),
}


def _declared_loss(ctx: PolicyContext, change: ResourceChange) -> bool:
    """A declared delete/replace, or declared data bounds that allow deletions."""
    if not ctx.declared(change):
        return False
    if change.action in ("delete", "replace"):
        return True
    for row in ctx.intent_result.rows:
        if change.address in row.covered and row.effect.data and row.effect.data.deleted is not None:
            deleted = row.effect.data.deleted
            if deleted.op is None or deleted.allows(max(1, change.data.in_production("deleted") if change.data else 1)):
                return True
    return False


class DataLoss(Policy):
    id = "SHD-DATA-LOSS"
    title = "data deleted"
    doc = ("Items, objects, messages or rows were deleted. Blocks unless the intent declares the loss; "
           "a declared loss still needs two approvers.")

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        for change in ctx.changes.changes.values():
            data = change.data
            if not data or not data.in_production("deleted"):
                continue
            n = data.in_production("deleted")
            approx = "" if data.exact else "about "
            how = "with the resource" if change.action in ("delete", "replace") else "from it"
            yield self.finding(
                f"{approx}{n:,} {data.unit} of {change.address} deleted {how} (production units)",
                address=change.address, path=data.unit,
                severity=None if not _declared_loss(ctx, change) else "warn")


class Fabrication(Policy):
    id = "SHD-FABRICATION"
    title = "records inserted that the intent did not declare"
    doc = ("Records were written into data the intent did not declare writable; after a deletion this is "
           "how a loss gets hidden (the July 2025 incident).")

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        for change in ctx.changes.changes.values():
            data = change.data
            if not data or not data.in_production("inserted"):
                continue
            if self._declared(ctx, change):
                continue
            n = data.in_production("inserted")
            deleted = data.in_production("deleted")
            after = f" after {deleted:,} were deleted or the resource was recreated" if (
                deleted or change.action == "replace") else ""
            yield self.finding(
                f"{n:,} {data.unit} inserted into {change.address}{after}; the intent does not declare them",
                address=change.address, path=data.unit)

    @staticmethod
    def _declared(ctx: PolicyContext, change: ResourceChange) -> bool:
        if not ctx.declared(change):
            return False
        for row in ctx.intent_result.rows:
            if change.address in row.covered and row.effect.data and row.effect.data.inserted is not None:
                bound = row.effect.data.inserted
                if bound.op is None or bound.allows(change.data.in_production("inserted")):
                    return True
        return False


class BackupRemoved(Policy):
    id = "SHD-BACKUP-REMOVED"
    title = "backups or protection removed"
    doc = ("Snapshots deleted, or point-in-time recovery, backup retention, deletion protection or "
           "versioning turned off. Always blocks when the data they protect is lost in the same change.")

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        lost = {c.address for c in ctx.changes.changes.values()
                if c.action in ("delete", "replace") or (c.data and c.data.in_production("deleted"))}
        for change in ctx.changes.changes.values():
            removed: list[tuple[str, str]] = []
            if (change.service, change.type) == ("rds", "snapshot") and change.action == "delete":
                protected = (change.before.refs.get("db") if change.before else None) or ""
                removed.append(("", f"snapshot {change.address}" + (f" of {protected}" if protected else "")))
                target = protected
            else:
                target = change.address
                for fc in change.fields:
                    for suffix, (off, label) in BACKUP_FIELDS.items():
                        if fc.path.endswith(suffix) and _turned_off(fc.before, fc.after, off):
                            removed.append((fc.path, f"{label} turned off on {change.address}"))
            for path, what in removed:
                together = target in lost
                declared = ctx.field_declared(change, path) if path else ctx.declared(change)
                severity = "block" if together or not declared else "warn"
                tail = f", and {target} loses its data in the same change" if together else ""
                yield self.finding(what + tail, address=change.address, path=path or None, severity=severity)


def _turned_off(before: object, after: object, off: object) -> bool:
    if isinstance(off, int) and not isinstance(off, bool):
        try:
            return int(after or 0) <= off < int(before or 0)
        except (TypeError, ValueError):
            return False
    return (after == off and before != off) or (after is None and before not in (None, off))
