"""The framework's floor: a bare Flask app that renders a page of a given size from a
template, with no database, served by the same gunicorn settings as the real app."""

import os

from flask import Flask, render_template_string

app = Flask(__name__)
SIZE = int(os.environ.get("FLOOR_PAGE_BYTES", "20000"))
TEMPLATE = (
    '<!doctype html><html lang="en"><head><title>{{ title }}</title></head><body><main>'
    "{% for i in range(rows) %}<p>Row {{ i }}: {{ text }}</p>{% endfor %}</main></body></html>"
)
ROW = len("<p>Row 000: </p>") + 60


@app.get("/")
def page():
    return render_template_string(TEMPLATE, title="Floor", rows=max(SIZE // ROW, 1), text="x" * 60)
