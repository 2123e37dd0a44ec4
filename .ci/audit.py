#!/usr/bin/env python3
"""`make audit`: pip-audit on every package installed in .venv, at its pinned version.

- A known vulnerability fails the run, unless `.ci/audit-exceptions.txt` lists its id
  with a date it is accepted until and why (an expired exception fails too).
- When the vulnerability service cannot be reached (pip-audit then reports every
  package as "not found"), the run says loudly that nothing was audited and exits 0:
  the machines this project is built on have no route to PyPI's JSON API or OSV, so a
  failure there would only mean "offline". Set AUDIT_REQUIRED=1 to make it fail instead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
EXCEPTIONS = ROOT / ".ci" / "audit-exceptions.txt"
LINE = re.compile(r"^(?P<id>\S+)\s+until\s+(?P<until>\d{4}-\d{2}-\d{2}):\s*(?P<why>.+)$")


def exceptions(text: str | None = None) -> dict[str, date]:
    """{vulnerability id: accepted until} from .ci/audit-exceptions.txt (or `text`)."""
    if text is None:
        text = EXCEPTIONS.read_text() if EXCEPTIONS.exists() else ""
    found = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LINE.match(line)
        if not match:
            raise ValueError(f"cannot read {line!r} (ID until YYYY-MM-DD: reason)")
        found[match["id"]] = date.fromisoformat(match["until"])
    return found


def verdict(report: dict, accepted: dict[str, date], today: date) -> tuple[int, list[str]]:
    """The exit status and the lines to print for pip-audit's JSON `report`."""
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    if not audited:
        why = deps[0]["skip_reason"] if deps else "no packages"
        return _unaudited(f"all {len(deps)} packages skipped: {why}")
    lines, failed = [], False
    for dep in audited:
        for vuln in dep.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            until = next((accepted[i] for i in ids if i in accepted), None)
            if until and until >= today:
                lines.append(f"accepted until {until}: {dep['name']} {dep['version']} {vuln['id']}")
                continue
            failed = True
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
            lines.append(
                f"VULNERABLE: {dep['name']} {dep['version']} {vuln['id']} (fixed in {fixed})"
            )
    lines.append(f"pip-audit: {len(audited)} packages audited, {len(deps) - len(audited)} skipped")
    return (1 if failed else 0), lines


def main() -> int:
    frozen = subprocess.run(
        [VENV / "pip", "freeze", "--exclude-editable"], capture_output=True, text=True, check=True
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as requirements:
        requirements.write(frozen)
    result = subprocess.run(
        [VENV / "pip-audit", "-r", requirements.name, "--no-deps", "--disable-pip", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    os.unlink(requirements.name)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr.strip()[-2000:], file=sys.stderr)
        status, lines = _unaudited("pip-audit could not run")
    else:
        try:
            accepted = exceptions()
        except ValueError as exc:
            sys.exit(f"{EXCEPTIONS}: {exc}")
        status, lines = verdict(report, accepted, date.today())
    print("\n".join(lines))
    return status


def _unaudited(why: str) -> tuple[int, list[str]]:
    line = f"*** NOT AUDITED: {why}. The vulnerability service is unreachable from here."
    return (1 if os.environ.get("AUDIT_REQUIRED") == "1" else 0), [line]


if __name__ == "__main__":
    sys.exit(main())
