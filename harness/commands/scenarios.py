"""``shadow scenarios run|list``: replay the incident and benign scenarios."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.commands.run import add_backend_args, add_jobs_arg, backend_options
from harness.fsutil import atomic_write


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="run the CI scenarios", description="Scenario commands.")
    inner = p.add_subparsers(dest="scenarios_command", metavar="ACTION")
    inner.required = True
    run = inner.add_parser("run", help="run scenarios and compare with their expected verdicts",
                           description="Run every scenario under DIR (default ./scenarios); exit 0 when all "
                                       "give their expected verdict and findings, 1 otherwise.")
    run.add_argument("dir", nargs="?", default="scenarios", help="scenarios folder or one scenario folder")
    run.add_argument("--only", action="append", help="run only this scenario (repeatable)")
    run.add_argument("--junit", help="write JUnit XML here")
    run.add_argument("--report-dir", help="write each scenario's report (json, txt, md, html) here")
    add_backend_args(run)
    add_jobs_arg(run, "scenarios")
    run.set_defaults(handler=run_cmd)
    ls = inner.add_parser("list", help="list scenarios")
    ls.add_argument("dir", nargs="?", default="scenarios")
    ls.set_defaults(handler=list_cmd)


def list_cmd(args: argparse.Namespace) -> int:
    from harness.scenarios import discover

    for s in discover(Path(args.dir)):
        print(f"{s.name:<34} {s.kind:<9} expect {s.verdict:<12} {s.title}")
    return 0


def run_cmd(args: argparse.Namespace) -> int:
    from rich.console import Console

    from harness.parallel import default_jobs, run_parallel
    from harness.scenarios import Scenario, ScenarioResult, discover, run_scenario
    from harness.scenarios.junit import junit_xml

    console = Console()
    scenarios = discover(Path(args.dir))
    if args.only:
        scenarios = [s for s in scenarios if s.name in set(args.only)]
    report_dir = Path(args.report_dir) if args.report_dir else None
    options = backend_options(args)
    results = []

    def one(s: Scenario) -> ScenarioResult:
        return run_scenario(s, backend=args.backend, backend_options=options, report_dir=report_dir,
                            capture=args.capture)

    for r in run_parallel(one, scenarios, args.jobs or default_jobs()):
        s = r.scenario
        results.append(r)
        if r.skipped:
            console.print(f"[yellow]SKIP[/] {s.name}: {r.skipped}")
        elif r.passed:
            console.print(f"[green]PASS[/] {s.name}: {r.outcome} {', '.join(r.findings)} ({r.duration_s:.1f} s)")
        else:
            console.print(f"[red]FAIL[/] {s.name}: " + "; ".join(r.problems))
    if args.junit:
        atomic_write(Path(args.junit), junit_xml(results))
    failed = [r for r in results if r.problems]
    console.print(f"{len(results) - len(failed)}/{len(results)} scenarios as expected"
                  + (f", {sum(1 for r in results if r.skipped)} skipped" if any(r.skipped for r in results) else ""))
    return 1 if failed else 0
