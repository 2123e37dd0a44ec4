"""WSGI entry point: `gunicorn wsgi:app`."""

from interacta import create_app

app = create_app()
