"""Credentials: certificates of attendance and completion earned from attendance per
session (read through interacta.events.attendance), issued once per registration.

The blueprint's wiring (registries, periodic job, CLI) is in `setup.py`, its routes in
`views.py`; only the app factory imports those.
"""

from flask import Blueprint

bp = Blueprint("credentials", __name__, template_folder="templates")
