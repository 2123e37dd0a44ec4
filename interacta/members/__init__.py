"""Members: accounts, profiles, directory, roles, GDPR export and erasure.

The blueprint's wiring is in `setup.py`, its routes in `views.py`; only the app factory
imports those.
"""

from flask import Blueprint

bp = Blueprint("members", __name__, template_folder="templates")
