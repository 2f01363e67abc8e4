#!/usr/bin/env python3
"""Audit the pinned dependencies with pip-audit, and say plainly what was audited.

    .venv/bin/python scripts/audit_dependencies.py

Fails when any pinned package has a known vulnerability. pip-audit skips (and passes)
a package whose vulnerability data it cannot fetch, which would make a green run that
audited nothing: this prints how many were audited and skipped, and fails on skips too
when AUDIT_STRICT=1 (set it where PyPI's JSON API is reachable).
"""

import json
import os
import subprocess  # noqa: S404  (a fixed command)
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    result = subprocess.run(  # noqa: S603
        [
            str(ROOT / ".venv/bin/pip-audit"),
            "--requirement",
            str(ROOT / "requirements.txt"),
            "--requirement",
            str(ROOT / "requirements-dev.txt"),
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout, result.stderr, sep="\n")
        return 1
    audited = [d for d in report["dependencies"] if "skip_reason" not in d]
    skipped = [d for d in report["dependencies"] if "skip_reason" in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(
                f"VULNERABLE {dependency['name']}=={dependency['version']}: {vuln['id']} "
                f"(fixed in {fixed})"
            )
    print(
        f"pip-audit: {len(audited)} pinned packages audited, {len(vulnerable)} vulnerable, "
        f"{len(skipped)} not audited"
    )
    if skipped:
        reasons = {d["skip_reason"].split(":")[0] for d in skipped}
        print("  not audited: " + "; ".join(sorted(reasons)))
    if vulnerable:
        return 1
    if skipped and os.environ.get("AUDIT_STRICT") == "1":
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
