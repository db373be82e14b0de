"""Entry point for a WSGI server: ``gunicorn wsgi:app``.

In production PUFA_SECRET_KEY and PUFA_DATABASE_URL come from the environment;
create_app refuses to start without a secret.
"""
from pufa_flow import create_app

app = create_app()
