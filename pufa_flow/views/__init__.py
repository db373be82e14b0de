"""Server-rendered Chinese pages."""
from __future__ import annotations

from flask_login import AnonymousUserMixin

from . import (attachments, audit, auth, board, cycles, diagrams, errors, feeds, imports, inspections, items, main,
               notices, units, users, workflow_actions)


class Anonymous(AnonymousUserMixin):
    role = None
    unit_id = None


def init_app(app) -> None:
    from ..extensions import db, login_manager
    from ..models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Anonymous

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_active_account else None

    for module in (auth, main, attachments, units, users, audit, imports, cycles, inspections, notices, items,
                   board, feeds, workflow_actions, diagrams):
        app.register_blueprint(module.bp)
    app.register_blueprint(board.exports_bp)
    errors.init_app(app)
