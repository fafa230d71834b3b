"""Sessions: tests, lint, demo, bench (and scenarios once bundles exist).

Each session installs shadow into its own virtual environment from this folder, so
what runs is what a user gets from ``pip install .``.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """Unit and end-to-end tests against real moto servers (and real terraform/PostgreSQL/Chromium where present)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over the package, tests and this file."""
    session.install("ruff")
    session.run("ruff", "check", "harness", "tests", "noxfile.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The end-to-end demo on the embedded default (no Docker, no AWS account)."""
    session.install("-e", ".")
    session.run("shadow", "demo", *session.posargs)


@nox.session
def scenarios(session: nox.Session) -> None:
    """Replay every scenario (incidents and benign changes) and check their expected verdicts."""
    session.install("-e", ".")
    session.run("shadow", "scenarios", "run", "scenarios", "--junit", "test-artifacts/scenarios.xml",
                "--report-dir", "test-artifacts/reports", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: prints a table and writes bench.json (figures as named in the issues)."""
    session.install("-e", ".")
    session.run("shadow", "bench", "--json", "bench.json", *session.posargs)
