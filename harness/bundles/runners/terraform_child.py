"""Child process of the terraform runner: init, plan, show -json, apply, inside the isolation.

Standard library only, started by file path, so it runs in the isolated environment
without the harness package. It fills the override file's placeholders from that
environment (``AWS_ENDPOINT_URL`` is the isolation proxy, the only way to the
sandbox), writes it into the private working copy, then runs the terraform steps
in order and stops at the first that fails. Each step prints one JSON line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

PLACEHOLDERS = {"__SHADOW_ENDPOINT__": "AWS_ENDPOINT_URL", "__SHADOW_PROXY__": "HTTPS_PROXY",
                "__SHADOW_CA_BUNDLE__": "AWS_CA_BUNDLE"}


def hcl_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${").replace("%{", "%%{")


def fill(template: str) -> str:
    """Put the isolated environment's values in; drop optional lines whose value is unset."""
    if "__SHADOW_ENDPOINT__" in template and not os.environ.get("AWS_ENDPOINT_URL"):
        raise SystemExit("shadow-terraform: AWS_ENDPOINT_URL is not set; refusing to run without the sandbox")
    lines = []
    for line in template.splitlines():
        for marker, variable in PLACEHOLDERS.items():
            if marker in line:
                value = os.environ.get(variable)
                if not value:
                    line = ""
                    break
                line = line.replace(marker, hcl_escape(value))
        if line:
            lines.append(line)
    return "\n".join(lines) + "\n"


def step(name: str, argv: list[str], out: str | None = None) -> dict:
    started = time.perf_counter()
    if out is None:
        proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
        stdout = proc.stdout
    else:
        with open(out, "w") as handle:
            proc = subprocess.run(argv, stdout=handle, stderr=subprocess.PIPE, text=True,
                                  stdin=subprocess.DEVNULL, check=False)
        stdout = ""
    result = {"step": name, "returncode": proc.returncode, "seconds": round(time.perf_counter() - started, 3),
              "stdout_tail": "\n".join(stdout.strip().splitlines()[-15:]),
              "stderr_tail": "\n".join(proc.stderr.strip().splitlines()[-30:])}
    print(json.dumps(result), flush=True)
    return result


def main(spec_path: str) -> int:
    with open(spec_path) as handle:
        spec = json.load(handle)
    if spec.get("override"):
        with open(spec["override_path"], "w") as handle:
            handle.write(fill(spec["override"]))
    tf, out = [spec["terraform"], f"-chdir={spec['chdir']}"], spec["out_dir"]
    plan_file = os.path.join(out, "plan.bin")
    common = ["-input=false", "-no-color"]
    plan = [*tf, "plan", *common, f"-out={plan_file}", f"-parallelism={spec.get('parallelism', 10)}"]
    if spec.get("vars_file"):
        plan.append(f"-var-file={spec['vars_file']}")
    if spec["command"] == "destroy":
        plan.append("-destroy")
    steps = [
        ("init", [*tf, "init", *common, "-lock=false"], None),
        ("plan", plan, None),
        ("show", [*tf, "show", "-json", "-no-color", plan_file], os.path.join(out, "plan.json")),
    ]
    if not spec.get("plan_only"):
        steps.append(("apply", [*tf, "apply", *common, "-auto-approve",
                                f"-parallelism={spec.get('parallelism', 10)}", plan_file], None))
    for name, argv, target in steps:
        if step(name, argv, target)["returncode"] != 0:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
