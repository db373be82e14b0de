"""Accounts: creating and changing users."""
from __future__ import annotations

import sqlalchemy as sa

from ..errors import ValidationFailed
from ..extensions import db
from ..models import ROLES, Unit, User
from . import audit
from .transaction import transaction
import unicodedata

from .validation import MAX_LEN, clean_bool, clean_choice, clean_id, clean_text

MIN_PASSWORD = 8


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
    fields = clean_user(data, current=user)
    password = fields.pop("password", None)
    with transaction():
        changed = {}
        for key, value in fields.items():
            if getattr(user, key) != value:
                changed[key] = [getattr(user, key), value]
                setattr(user, key, value)
        if password:
            user.set_password(password)
            changed["password"] = "changed"
        audit.record("user.update", "user", user.id, actor=actor, unit_id=user.unit_id, data=changed)
    return user
