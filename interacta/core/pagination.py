"""Pagination helpers shared by the list pages."""

from __future__ import annotations

from flask import request


def page_arg(name: str = "page") -> int:
    """The page number from the query string; anything invalid means page 1."""
    try:
        value = int(request.args.get(name, "1"))
    except ValueError:
        return 1
    return min(max(value, 1), 100_000)


def url_args(**changes) -> dict:
    """The current query arguments with `changes` applied (None removes a key)."""
    args = {k: v for k, v in request.args.items()}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return args
