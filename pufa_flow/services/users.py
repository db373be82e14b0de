"""Accounts: creating and changing users."""
from __future__ import annotations

import sqlalchemy as sa

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import ROLES, Unit, User
from . import audit
from .auth import end_sessions_and_tokens
from .transaction import transaction
import unicodedata

from .validation import MAX_LEN, clean_bool, clean_choice, clean_id, clean_text

MIN_PASSWORD = 8
#: scrypt hashes whatever it is given: a bound keeps a pasted megabyte from costing seconds
MAX_PASSWORD = 128


def check_password_strength(password, errors: dict, field: str = "password") -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        errors[field] = f"密码至少{MIN_PASSWORD}位"
    elif len(password) > MAX_LEN["password"]:
        errors[field] = f"密码不能超过{MAX_LEN['password']}位"
    elif any(ch == "\x00" or unicodedata.category(ch) in {"Cc", "Cs"} for ch in password):
        errors[field] = "密码含有控制字符或无效字符"
    elif password.isdigit() or password.isalpha():
        errors[field] = "密码需同时包含字母和数字"


def clean_user(data: dict, *, current: User | None = None) -> dict:
    errors: dict[str, str] = {}
    out: dict = {}
    partial = current is not None
    if not partial:
        username = clean_text(data.get("username"), "username", "用户名", errors, max_len=MAX_LEN["username"])
        if username and "username" not in errors and (
                not all(ch.isalnum() or ch in "._-" for ch in username)
                or unicodedata.normalize("NFKC", username) != username):
            # NFKC: full-width "ａｄｍｉｎ" or "admin²" would pass for another account's name
            errors["username"] = "用户名只能包含字母、数字、汉字和 . _ -（不能用全角字母、数字或上标）"
        out["username"] = username
    if not partial or "password" in data:
        check_password_strength(data.get("password"), errors)
        out["password"] = data.get("password")
    if not partial or "role" in data:
        out["role"] = clean_choice(data.get("role"), "role", "角色", ROLES, errors)
    if not partial or "unit_id" in data or "role" in data:
        out["unit_id"] = clean_id(data.get("unit_id"), "unit_id", "所属单位", errors, required=False)
    if "display_name" in data or not partial:
        out["display_name"] = clean_text(data.get("display_name"), "display_name", "姓名", errors,
                                         max_len=MAX_LEN["person"], required=False, name_like=True) or ""
    if "is_active" in data:
        out["is_active_account"] = clean_bool(data.get("is_active"), "is_active", "启用", errors, default=True)
    if not errors:
        _check_role_unit(out, current, errors)
    if errors:
        raise ValidationFailed(errors)
    return out


def _check_role_unit(out: dict, current: User | None, errors: dict) -> None:
    role = out.get("role", current.role if current else None)
    unit_id = out.get("unit_id", current.unit_id if current else None)
    if role == "unit" and unit_id is None:
        errors["unit_id"] = "责任单位用户必须指定所属单位"
    elif role != "unit" and unit_id is not None:
        errors["unit_id"] = "只有责任单位用户才能指定所属单位"
    elif unit_id is not None and db.session.get(Unit, unit_id) is None:
        errors["unit_id"] = f"所属单位不存在：{unit_id}"
    if "username" in out and out["username"]:
        taken = db.session.scalar(sa.select(User.id).where(User.username == out["username"]))
        if taken is not None:
            errors["username"] = f"用户名已被使用：{out['username']}"


def create_user(data: dict, *, actor) -> User:
    fields = clean_user(data)
    password = fields.pop("password")
    with transaction():
        user = User(**fields)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
        audit.record("user.create", "user", user.id, actor=actor, unit_id=user.unit_id,
                     data={"username": user.username, "role": user.role})
    return user


def update_user(user: User, data: dict, *, actor) -> User:
    """Change a user (office). A new password or a deactivation ends the user's
    sessions and API tokens; the last active office account keeps its role and stays active."""
    fields = clean_user(data, current=user)
    password = fields.pop("password", None)
    with transaction():
        _keep_an_office(user, fields)
        changed = {}
        for key, value in fields.items():
            if getattr(user, key) != value:
                changed[key] = [getattr(user, key), value]
                setattr(user, key, value)
        if password:
            user.set_password(password)
            changed["password"] = "changed"
        if password or changed.get("is_active_account", [None, True])[1] is False:
            changed["tokens_revoked"] = end_sessions_and_tokens(user)
        audit.record("user.update", "user", user.id, actor=actor, unit_id=user.unit_id, data=changed)
    return user


def _keep_an_office(user: User, fields: dict) -> None:
    """Refuse to demote or deactivate the last active office account (someone must run the system).

    The other active office rows are locked (PostgreSQL) so two office users
    demoting each other at once cannot both succeed.
    """
    if user.role != "office" or not user.is_active_account:
        return
    leaves = fields.get("role", "office") != "office" or fields.get("is_active_account", True) is False
    if not leaves:
        return
    others = db.session.scalars(
        sa.select(User.id).where(User.role == "office", User.is_active_account.is_(True), User.id != user.id)
        .with_for_update()).all()
    if not others:
        raise Conflict("这是最后一个启用的普法办账户，不能降级或停用；请先为他人开通普法办账户",
                       details={"reason": "last_office"})


def set_active(user: User, active: bool, *, actor) -> User:
    return update_user(user, {"is_active": active}, actor=actor)


def reset_password(user: User, password, *, actor) -> User:
    """The office sets a new password for someone who forgot theirs; their sessions and tokens end."""
    errors: dict[str, str] = {}
    check_password_strength(password, errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        user.set_password(password)
        revoked = end_sessions_and_tokens(user)
        audit.record("user.password_reset", "user", user.id, actor=actor, unit_id=user.unit_id,
                     data={"tokens_revoked": revoked})
    return user


def change_own_password(user: User, current, new, confirm=None) -> User:
    """A user changes their own password: the old one must be right; every other
    session and every API token ends (the caller signs the current session in again)."""
    errors: dict[str, str] = {}
    if not isinstance(current, str) or not user.check_password(current):
        errors["current_password"] = "当前密码不正确"
    check_password_strength(new, errors, "new_password")
    if confirm is not None and confirm != new and "new_password" not in errors:
        errors["confirm_password"] = "两次输入的新密码不一致"
    if not errors and current == new:
        errors["new_password"] = "新密码不能与当前密码相同"
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        user.set_password(new)
        revoked = end_sessions_and_tokens(user)
        audit.record("user.password_change", "user", user.id, actor=user, unit_id=user.unit_id,
                     data={"tokens_revoked": revoked})
    return user


def unlock(user: User, *, actor) -> User:
    """Lift a sign-in lockout before it runs out (the lockout message says: ask the office)."""
    with transaction():
        was = user.locked_until
        user.locked_until = None
        user.failed_logins = 0
        audit.record("user.unlock", "user", user.id, actor=actor, unit_id=user.unit_id,
                     data={"locked_until": was.isoformat(sep=" ", timespec="seconds") if was else None})
    return user
