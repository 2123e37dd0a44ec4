"""The network around the events: partner organisations (records with logos, the events
they co-organise, their members and publications).

The blueprint's wiring is in `setup.py`, its routes in `views.py`; only the app factory
imports those.
"""

from flask import Blueprint

bp = Blueprint("network", __name__, template_folder="templates")
