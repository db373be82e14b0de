"""pufa-flow: 普法责任制考评与整改督办.

create_app builds an application and has no side effects beyond that: no
migrations, no files written, no app context pushed.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import config as config_module

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent


def shipped(name: str) -> Path:
    """``templates`` or ``migrations``: top-level folders in the checkout (as the owner
    keeps them), copied into the package when a wheel is built (setup.py maps them)."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PROJECT_ROOT / name


def create_app(test_config: dict | None = None, *, serving: bool = True) -> Flask:
    """``serving=False`` (the CLI): an application for commands, which may lack the
    secret; it then refuses every request with 503 instead of signing cookies."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(shipped("templates")),
    )
    app.config.update(config_module.load(app.instance_path))
    if test_config:
        app.config.update(test_config)
    config_module.validate(app.config, serving=serving)
    if not app.config.get("SECRET_KEY"):
        _refuse_requests(app)

    from .converters import register as register_converters

    register_converters(app)

    from .request_guard import register as register_request_guard

    register_request_guard(app)

    from .extensions import csrf, db, login_manager, migrate
    from .models import check_bindings

    check_bindings()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(shipped("migrations")), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    from . import api, headers, views
    from .jinja import register_filters
    from .services.calendar import forget_per_request

    app.before_request(forget_per_request)
    register_filters(app)
    api.init_app(app)
    views.init_app(app)
    headers.init_app(app)
    return app


def _refuse_requests(app: Flask) -> None:
    from flask import abort

    @app.before_request
    def no_secret_no_service():
        abort(503, description="PUFA_SECRET_KEY 未设置，无法提供网页服务")
