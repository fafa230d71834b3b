"""JUnit XML for scenario results (one testcase per scenario), for CI systems."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.scenarios.run import ScenarioResult


def junit_xml(results: list[ScenarioResult], suite: str = "shadow-scenarios") -> str:
    failures = sum(1 for r in results if r.problems)
    skipped = sum(1 for r in results if r.skipped)
    root = ET.Element("testsuite", name=suite, tests=str(len(results)), failures=str(failures),
                      skipped=str(skipped), time=f"{sum(r.duration_s for r in results):.3f}")
    for r in results:
        case = ET.SubElement(root, "testcase", classname=f"scenarios.{r.scenario.kind}", name=r.scenario.name,
                             time=f"{r.duration_s:.3f}")
        if r.skipped:
            ET.SubElement(case, "skipped", message=r.skipped)
        elif r.problems:
            failure = ET.SubElement(case, "failure", message=r.problems[0])
            failure.text = "\n".join(r.problems)
        out = ET.SubElement(case, "system-out")
        headline = r.report["headline"] if r.report else ""
        out.text = f"{r.scenario.title}\nexpected {r.scenario.verdict} {r.scenario.findings}\ngot {r.outcome} " \
                   f"{r.findings}\n{headline}"
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
