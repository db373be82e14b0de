"""Reminder pages: the inbox (everyone with one), the office's delivery log
with its resend button, and the office's scheduler status page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import AppError, ValidationFailed
from ..models import CHANNELS_OUTBOX, OUTBOX_STATES, PREFERENCE_MODES, Unit
from ..models.scoping import get_visible
from ..services.reminders import inbox, log, preferences, resend
from .access import roles_required
from .pagination import paginate

bp = Blueprint("reminders", __name__)


@bp.app_template_global("reminder_failures")
def reminder_failures() -> int:
    """The office's home tile: messages that failed for good."""
    return log.failed_count()


@bp.app_template_global("reminder_kind")
def reminder_kind(kind: str) -> str:
    from ..services.reminders.messages import kind_label

    return kind_label(kind)


@bp.route("/inbox/")
@roles_required()
def inbox_page():
    page = paginate(inbox.messages(current_user))
    return render_template("reminders/inbox.html", page=page,
                           read=inbox.read_ids(current_user, [m.id for m in page.items]))


@bp.route("/inbox/<id:message_id>/read", methods=["POST"])
@roles_required(*inbox.INBOX_ROLES)
def mark_read(message_id: int):
    inbox.mark_read(current_user, message_id)
    return redirect(request.form.get("next") or url_for("reminders.inbox_page"))


@bp.route("/inbox/read-all", methods=["POST"])
@roles_required(*inbox.INBOX_ROLES)
def mark_all_read():
    n = inbox.mark_read(current_user)
    flash(f"已将 {n} 条消息标为已读", "success")
    return redirect(url_for("reminders.inbox_page"))


@bp.route("/reminders/log")
@roles_required("office")
def delivery_log():
    stmt, values, errors = log.filtered(request.args)
    return render_template("reminders/log.html", page=paginate(stmt), values=values, errors=errors,
                           states=OUTBOX_STATES, channels=CHANNELS_OUTBOX)


@bp.route("/reminders/log/<id:message_id>/resend", methods=["POST"])
@roles_required("office")
def resend_message(message_id: int):
    try:
        row = resend(message_id, actor=current_user)
        flash(f"消息 #{row.id} 已重新加入发送队列，将在下一次投递时发送", "success")
    except AppError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    return redirect(request.form.get("next") or url_for("reminders.delivery_log"))


@bp.route("/reminders/status")
@roles_required("office")
def status_page():
    return render_template("reminders/status.html", s=log.status())


@bp.route("/units/<id:unit_id>/reminder-preferences", methods=["GET", "POST"])
@roles_required("office", "unit")
def preferences_page(unit_id: int):
    unit = get_visible(Unit, unit_id, current_user)
    errors = {}
    if request.method == "POST":
        data = {str(c.id): {"email": request.form.get(f"email_{c.id}"), "sms": request.form.get(f"sms_{c.id}"),
                            "mode": request.form.get(f"mode_{c.id}", "immediate")} for c in unit.contacts}
        try:
            preferences.save(unit, data, actor=current_user)
            flash("提醒设置已保存", "success")
            return redirect(url_for("reminders.preferences_page", unit_id=unit.id))
        except ValidationFailed as exc:
            errors = exc.fields
    return render_template("reminders/preferences.html", unit=unit, rows=preferences.for_unit(unit),
                           modes=PREFERENCE_MODES, errors=errors)


@bp.route("/reminders/policy", methods=["GET", "POST"])
@roles_required("office")
def policy_page():
    from notifications.policy import CHANNELS, DEFAULT_POLICY, ROLES

    from ..services.reminders import settings

    current = settings.stored()
    errors, form = {}, None
    if request.method == "POST":
        try:
            if request.form.get("restore"):
                settings.restore_defaults(actor=current_user)
                flash("已恢复默认提醒规则，待发提醒已按默认规则重新安排", "success")
            else:
                settings.save(settings.from_form(request.form, current), actor=current_user)
                flash("提醒规则已保存，待发提醒已按新规则重新安排", "success")
            return redirect(url_for("reminders.policy_page"))
        except ValidationFailed as exc:
            errors, form = exc.fields, request.form
    return render_template("reminders/policy.html", policy=current, defaults=DEFAULT_POLICY,
                           is_default=settings.is_default(), describe=settings.describe, roles=ROLES,
                           channels=CHANNELS, allowed_roles=settings.allowed_roles, sides=settings.SIDES,
                           errors=errors, form=form)


def _robots_page(unit):
    from ..models import ROBOT_PLATFORMS
    from ..services.reminders import robots

    errors = {}
    if request.method == "POST":
        data = {p: {"url": request.form.get(f"{p}.url", ""), "secret": request.form.get(f"{p}.secret", ""),
                    "clear_secret": bool(request.form.get(f"{p}.clear_secret"))} for p in ROBOT_PLATFORMS}
        try:
            robots.save(unit, data, actor=current_user)
            flash("群机器人设置已保存", "success")
            return redirect(request.path)
        except ValidationFailed as exc:
            errors = exc.fields
    return render_template("reminders/robots.html", unit=unit, hooks=robots.hooks(unit), platforms=ROBOT_PLATFORMS,
                           hosts=robots.HOSTS, paths=robots.PATHS, tokens=robots.TOKENS, masked=robots.masked,
                           errors=errors, form=request.form if errors else None)


@bp.route("/units/<id:unit_id>/robots", methods=["GET", "POST"])
@roles_required("office", "unit")
def unit_robots_page(unit_id: int):
    return _robots_page(get_visible(Unit, unit_id, current_user))


@bp.route("/reminders/robots", methods=["GET", "POST"])
@roles_required("office")
def office_robots_page():
    return _robots_page(None)
