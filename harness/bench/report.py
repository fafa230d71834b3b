"""Render a benchmark result document as rich tables (the JSON is the record)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _s(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _met(flag: bool | None) -> str:
    return {True: "[green]met[/]", False: "[red]missed[/]", None: "[yellow]not measured[/]"}[flag]


def render(doc: dict[str, Any], console: Console) -> None:
    ready = doc["ready_s"]
    table = Table(title="shadow bench: estates (median wall seconds)")
    for col in ("estate", "res.", "items", "runs", "build", "capture", "ms/res", "seed"):
        table.add_column(col, justify="left" if col == "estate" else "right")
    cpu = Table(title="CPU seconds (client + emulator); capture gaps, seed problems")
    for col in ("estate", "capture CPU", "seed CPU", "gaps", "problems"):
        cpu.add_column(col, justify="left" if col == "estate" else "right")
    for key, est in doc["estates"].items():
        capture_s, seed_s = doc["capture_s"][key], doc["seed_s"][key]
        per = capture_s / est["resources"] * 1000 if est["resources"] and key.startswith("resources_") else None
        table.add_row(key, str(est["resources"]), str(est["items"]),
                      f"{est['runs']['capture']}/{est['runs']['seed']}", _s(doc["build_s"][key], 1),
                      _s(capture_s), _s(per, 1), _s(seed_s))
        c = est["cpu_s"]
        cpu.add_row(key, f"{_s(c['capture']['client'], 1)} + {_s(c['capture']['emulator'], 1)}",
                    f"{_s(c['seed']['client'], 1)} + {_s(c['seed']['emulator'], 1)}",
                    str(est["capture_gaps"]), str(est["seed_problems"]))
    console.print(table)
    console.print(cpu)
    fit = doc.get("capture_fit") or {}
    console.print(f"sandbox ready: cold {_s(ready['cold'], 3)} s, warm {_s(ready['warm'], 3)} s "
                  f"(medians of {len(ready['cold_runs'])} runs)")
    if fit:
        verdicts = {True: "linear", False: "NOT linear", None: "not judged (needs 3 sizes of 100 or more)"}
        linear = verdicts[doc["capture_linear"]]
        console.print(f"capture slope: {_s(doc['capture_slope_ms_per_resource'], 1)} ms/resource "
                      f"(r² {_s(fit['r2'], 3)}, step slopes "
                      f"{', '.join(_s(s, 1) for s in fit['segment_slopes_ms_per_resource'])} ms/resource): {linear}")
    targets = Table(title="targets")
    for col in ("target", "value", "limit", "result"):
        targets.add_column(col)
    for name, t in doc["targets"].items():
        targets.add_row(name, _s(t.get("value"), 3), _s(t.get("limit"), 1) if "limit" in t else "",
                        _met(t.get("met")))
    console.print(targets)
    env = doc["environment"]
    console.print(f"[dim]{env['cpus']} CPUs, load average {env['load_avg_start']} -> {env['load_avg_end']}, "
                  f"moto {env['moto']}, services {', '.join(env['services'])}, "
                  f"{env['duration_s']:.0f} s in all[/]")
