"""Resolve merge conflicts in .po catalogs by message: the union of both sides.

Two branches that translate different strings of one part both rewrite its .po files;
git sees clashing lines, but the catalogs combine cleanly message by message.

    python tools/merge_po.py            # every conflicted .po file in the index

A message translated on both sides keeps ours (the branch being merged into).
"""

from __future__ import annotations

import io
import subprocess
import sys

from babel.messages.pofile import read_po, write_po


def _stage(path: str, stage: int) -> bytes | None:
    result = subprocess.run(["git", "show", f":{stage}:{path}"], capture_output=True, check=False)
    return result.stdout if result.returncode == 0 else None


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(strings) and not message.fuzzy


def merge(ours: bytes, theirs: bytes) -> bytes:
    mine = read_po(io.BytesIO(ours))
    other = read_po(io.BytesIO(theirs))
    for message in other:
        if not message.id:
            continue
        present = mine.get(message.id, message.context)
        if present is None or (not _translated(present) and _translated(message)):
            mine[message.id] = message
    out = io.BytesIO()
    write_po(out, mine, sort_output=True, ignore_obsolete=True, include_lineno=False, width=100)
    return out.getvalue()


def main() -> int:
    names = subprocess.run(
        ["git", "diff", "--name-only", "--diff-filter=U"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for path in (n for n in names if n.endswith(".po")):
        ours, theirs = _stage(path, 2), _stage(path, 3)
        if ours is None or theirs is None:
            print(f"skipped {path}: one side deleted it")
            continue
        with open(path, "wb") as fh:
            fh.write(merge(ours, theirs))
        subprocess.run(["git", "add", path], check=True)
        print(f"merged {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
