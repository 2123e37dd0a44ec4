"""`make audit` (.ci/audit.py) fails the build on a known vulnerability, honours a dated
exception only until its date, and says NOT AUDITED when pip-audit could reach nothing."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "ci_audit", Path(__file__).resolve().parents[2] / ".ci" / "audit.py"
)
audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)

TODAY = date(2026, 11, 24)
VULNERABLE = {
    "dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {
            "name": "jinja2",
            "version": "3.1.6",
            "vulns": [{"id": "GHSA-xxxx", "aliases": ["CVE-2026-1"], "fix_versions": ["3.1.7"]}],
        },
    ]
}


def test_a_known_vulnerability_fails_the_build():
    status, lines = audit.verdict(VULNERABLE, {}, TODAY)
    assert status == 1
    assert "VULNERABLE: jinja2 3.1.6 GHSA-xxxx (fixed in 3.1.7)" in lines


def test_a_dated_exception_holds_until_its_date():
    accepted = audit.exceptions("# comment\nCVE-2026-1 until 2026-12-31: not reachable here\n")
    assert audit.verdict(VULNERABLE, accepted, TODAY)[0] == 0
    assert audit.verdict(VULNERABLE, accepted, date(2027, 1, 1))[0] == 1
    with pytest.raises(ValueError, match="ID until YYYY-MM-DD"):
        audit.exceptions("CVE-2026-1 forever")


def test_an_unreachable_service_is_said_loudly(monkeypatch):
    offline = {"dependencies": [{"name": "flask", "version": "3.1.3", "skip_reason": "not found"}]}
    status, lines = audit.verdict(offline, {}, TODAY)
    assert status == 0 and lines[0].startswith("*** NOT AUDITED")
    monkeypatch.setenv("AUDIT_REQUIRED", "1")
    assert audit.verdict(offline, {}, TODAY)[0] == 1


def test_the_exceptions_file_reads():
    assert isinstance(audit.exceptions(), dict)
