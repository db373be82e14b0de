"""Field checks with Chinese messages, shared by the API, pages and imports."""
from __future__ import annotations

import re
from datetime import date

from email_validator import EmailNotValidError, validate_email

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
# Names of offices and people never need markup or SQL punctuation; refusing
# them keeps pasted junk and injection attempts out of documents and mail.
FORBIDDEN_NAME_CHARS = set("<>{}[]\"'`;\\|=$%&#")


class FieldErrors(dict):
    """Collects field → message; raise ValidationFailed(errors) if any."""


def clean_text(value, field: str, label: str, errors: dict, *, max_len: int,
               required: bool = True, name_like: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = f"{label}不能为空"
        return None
    if not isinstance(value, str):
        errors[field] = f"{label}必须是文本"
        return None
    value = value.strip()
    if len(value) > max_len:
        errors[field] = f"{label}不能超过{max_len}个字符"
    elif any(ord(ch) < 32 for ch in value):
        errors[field] = f"{label}含有控制字符"
    elif name_like and (bad := sorted(set(value) & FORBIDDEN_NAME_CHARS)):
        errors[field] = f"{label}含有不允许的字符：{' '.join(bad)}"
    return value


def clean_phone(value, field: str, errors: dict) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    text = re.sub(r"[\s]", "", str(value))
    if text.endswith(".0"):  # spreadsheets turn 13800138000 into 13800138000.0
        text = text[:-2]
    if not (MOBILE.match(text) or LANDLINE.match(text)):
        errors[field] = f"电话号码格式不正确：{value}(手机11位，座机如 0791-83986751)"
        return None
    return text


def clean_email(value, field: str, errors: dict) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return validate_email(str(value).strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        errors[field] = f"电子邮箱格式不正确：{value}"
        return None


def clean_choice(value, field: str, label: str, choices: dict, errors: dict,
                 *, required: bool = True) -> str | None:
    """Accepts the id or the Chinese label; returns the id."""
    if value is None or value == "":
        if required:
            errors[field] = f"{label}不能为空"
        return None
    if value in choices:
        return value
    by_label = {v: k for k, v in choices.items()}
    if value in by_label:
        return by_label[value]
    errors[field] = f"{label}不正确：{value}(可选：{'、'.join(choices.values())})"
    return None


def clean_bool(value, field: str, label: str, errors: dict, *, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "是", "有"}:
        return True
    if text in {"0", "false", "no", "n", "否", "无"}:
        return False
    errors[field] = f"{label}应为“是”或“否”：{value}"
    return default


def clean_date(value, field: str, label: str, errors: dict, *, required: bool = True) -> date | None:
    if value is None or value == "":
        if required:
            errors[field] = f"{label}不能为空"
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = f"{label}不是有效日期：{value}(格式 2023-11-05)"
        return None


def clean_int(value, field: str, label: str, errors: dict, *, required: bool = True) -> int | None:
    if value is None or value == "":
        if required:
            errors[field] = f"{label}不能为空"
        return None
    if isinstance(value, bool):
        errors[field] = f"{label}必须是整数"
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        errors[field] = f"{label}必须是整数"
        return None
