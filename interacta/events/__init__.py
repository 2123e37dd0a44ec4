"""Events: events, agenda, registration, waiting list, calendars, organizer tools.

The blueprint's wiring (registries, CLI) is in `setup.py`, its routes in `views.py` and
`registration_views.py`; only the app factory imports those.
"""

from flask import Blueprint

bp = Blueprint("events", __name__, template_folder="templates")
