"""Render a benchmark result document as rich tables (the JSON is the record)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _s(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _met(flag: bool | None) -> str:
    return {True: "[green]met[/]", False: "[red]missed[/]", None: "[yellow]not measured[/]"}[flag]


def _fork_table(doc: dict[str, Any]) -> Table:
    """Seed once, fork many: template, clone and verdict seconds per estate."""
    table = Table(title="templates and clones (median wall seconds)")
    for col in ("estate", "template", "clone", "cold", "warm", "warm: clone/run/after/diff"):
        table.add_column(col, justify="left" if col == "estate" else "right")
    for key, est in doc["estates"].items():
        fork = est.get("fork") or {}
        parts = fork.get("verdict_parts_s") or {}
        split = "/".join(_s(parts.get(p), 2) for p in ("clone_s", "execute_s", "capture_after_s", "diff_s"))
        template = (fork.get("seed_s") or 0) + (fork.get("template_capture_s") or 0) if fork else None
        table.add_row(key, _s(template, 1), _s(doc["clone_s"].get(key), 3), _s(doc["verdict_cold_s"].get(key), 1),
                      _s(doc["verdict_warm_s"].get(key), 2), split)
    t = doc["throughput"]
    table.caption = (f"throughput: {_s(doc['throughput_bundles_per_min'], 1)} bundles/min "
                     f"({t['bundles']} one-call bundles, {t['jobs']} at a time, {_s(t['wall_s'], 1)} s)")
    return table


def _overhead_table(doc: dict[str, Any]) -> Table:
    """Warm verdict vs the bare calls, per bundle size; the demo's end-to-end time; diff; Terraform."""
    table = Table(title="overhead: warm verdict vs bare calls on a seeded sandbox (median seconds)")
    for col in ("bundle", "verdict", "bare", "ratio", "outcomes"):
        table.add_column(col, justify="left" if col in ("bundle", "outcomes") else "right")
    for key, row in (doc.get("overhead") or {}).items():
        table.add_row(key.replace("calls_", "") + " calls", _s(row["verdict_s"]), _s(row["bare_s"], 3),
                      _s(row["ratio"], 1), ", ".join(sorted(set(row["outcomes"]))))
    lines = []
    if doc.get("e2e_demo_s") is not None:
        lines.append(f"demo estate end to end (start, seed, run, diff, verdict, report): {_s(doc['e2e_demo_s'])} s, "
                     f"{_s(doc['e2e_demo_ratio'], 0)}x the bare call ({_s(doc['e2e_demo_bare_s'], 3)} s)")
    if doc.get("diff_s"):
        sizes = ", ".join(f"{k.replace('items_', '')} items {_s(v)} s" for k, v in doc["diff_s"].items())
        lines.append("diff: " + sizes
                     + (f"; {_s(doc['diff_slope_s_per_million_items'])} s per million items"
                        if doc.get("diff_slope_s_per_million_items") is not None else ""))
    tf = doc.get("terraform") or {}
    if tf.get("rows"):
        lines.append("terraform: " + ", ".join(f"{r['resources']} resources {r['simulate_s']} s vs bare apply "
                                               f"{r['bare_apply_s']} s ({r['ratio']}x, {r['verdict']})"
                                               for r in tf["rows"]))
    elif tf.get("skipped"):
        lines.append(f"terraform: skipped ({tf['skipped']})")
    table.caption = "\n".join(lines)
    return table


def render(doc: dict[str, Any], console: Console) -> None:
    ready = doc["ready_s"]
    table = Table(title="shadow bench: estates (median wall seconds)")
    for col in ("estate", "res.", "items", "runs", "build", "capture", "ms/res", "seed", "seed http"):
        table.add_column(col, justify="left" if col == "estate" else "right")
    cpu = Table(title="CPU seconds (client + emulator); capture gaps, seed problems")
    for col in ("estate", "capture CPU", "seed http CPU", "gaps", "problems"):
        cpu.add_column(col, justify="left" if col == "estate" else "right")
    for key, est in doc["estates"].items():
        capture_s, seed_s = doc["capture_s"][key], doc["seed_s"][key]
        per = capture_s / est["resources"] * 1000 if est["resources"] and key.startswith("resources_") else None
        table.add_row(key, str(est["resources"]), str(est["items"]),
                      f"{est['runs']['capture']}/{est['runs']['seed_http']}", _s(doc["build_s"][key], 1),
                      _s(capture_s), _s(per, 1), _s(seed_s), _s(doc["seed_http_s"][key]))
        c = est["cpu_s"]
        cpu.add_row(key, f"{_s(c['capture']['client'], 1)} + {_s(c['capture']['emulator'], 1)}",
                    f"{_s(c['seed_http']['client'], 1)} + {_s(c['seed_http']['emulator'], 1)}",
                    str(est["capture_gaps"]), str(est["seed_problems"]))
    console.print(table)
    console.print(cpu)
    console.print(_fork_table(doc))
    console.print(_overhead_table(doc))
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
