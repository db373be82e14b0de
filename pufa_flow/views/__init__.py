"""Server-rendered Chinese pages."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_login import AnonymousUserMixin, login_url

from . import (account, attachments, audit, auth, board, calendar, cycles, diagrams, errors, evaluation, feeds, imports,
               inspections, items, main, notices, reminders, units, users, workflow_actions)
from . import frameworks, self_assessment  # noqa: F401  (self_assessment: the 自评 workspace, on the cycles blueprint)
from . import filings
from . import panel  # worklists, panel score sheets, the office's acceptance page
from . import results  # ranking and grades, 评估意见, publish, commendations, archive
from . import results_docs  # noqa: F401  (the bulletin's texts and the results workbooks, on the cycles blueprint)


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
    def load_user(session_id: str):
        """``id:epoch``: a session signed in before a sign-out, password change or
        deactivation carries an old epoch and is refused."""
        from ..services.auth import session_is_current

        user_id, _, epoch = session_id.partition(":")
        user = db.session.get(User, int(user_id)) if user_id.isdigit() and len(user_id) < 12 else None
        if user is None or not user.is_active_account or not session_is_current(user, epoch):
            g.stale_session = True
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        """A visitor without a session goes to the sign-in page; a session that was
        ended (sign-out, password change, deactivation) is told so, with 401."""
        if not g.get("stale_session"):
            flash(login_manager.login_message, login_manager.login_message_category)
            return redirect(login_url(login_manager.login_view, next_url=request.url))
        session.pop("_user_id", None)
        session.pop("_fresh", None)
        from .forms import LoginForm

        flash("登录已失效（已退出、密码已修改或账户已停用），请重新登录", "info")
        return render_template("auth/login.html", form=LoginForm(),
                               login_action=url_for("auth.login", next=request.full_path.rstrip("?"))), 401

    for module in (auth, account, main, attachments, units, users, audit, imports, cycles, inspections, notices, items,
                   board, feeds, workflow_actions, diagrams, calendar, evaluation, reminders, frameworks, filings, panel,
                   results):
        app.register_blueprint(module.bp)
    app.register_blueprint(board.exports_bp)
    errors.init_app(app)
