"""The human gate: store, signed reviews bound to digests, audit chain, drift-checked apply."""

from harness.gate.service import Gate, gate_from

__all__ = ["Gate", "gate_from"]
