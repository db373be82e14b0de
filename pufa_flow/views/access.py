"""Declarative page permissions: each view names the roles it admits."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles: str):
    """Signed-in users only; with roles, only those (others get 403)."""
    def decorator(func):
        @wraps(func)
        @login_required
        def wrapper(*args, **kwargs):
            if roles and current_user.role not in roles:
                abort(403)
            return func(*args, **kwargs)
        wrapper.required_roles = roles
        return wrapper
    return decorator
