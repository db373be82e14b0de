"""Field checks with Chinese messages, shared by the API, pages and imports.

Every value from outside passes one of these before it reaches a query or a
column: type (a list is not a name), encoding (no NUL, no lone surrogate, no
invisible or direction-changing characters in names), range (ids the
databases can hold, dates a calendar can add a day to, numbers that are
finite) and length. A value that fails gets a sentence naming the field and,
for choices, the accepted ids; none reaches the database to fail there.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from email_validator import EmailNotValidError, validate_email

from ..converters import MAX_ID

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
# Names of offices and people never need markup or SQL punctuation; refusing
# them keeps pasted junk and injection attempts out of documents and mail.
FORBIDDEN_NAME_CHARS = set("<>{}[]\"'`;\\|=$%&#")
#: ASCII only: str.isdigit() and int() also take "²", "１２" and "١٢"
ASCII_INT = re.compile(r"^[+-]?[0-9]{1,19}$", re.ASCII)
ASCII_DECIMAL = re.compile(r"^[+-]?[0-9]{1,6}(\.[0-9]{1,6})?$", re.ASCII)
#: exactly YYYY-MM-DD: date.fromisoformat also reads 20231105 and 2023-W45-1
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", re.ASCII)
#: a date a filter or deadline can mean; beyond it, adding a day or a time zone overflows
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2999, 12, 31)
#: longest value echoed back in a message: a megabyte of junk is not repeated to its sender
ECHO_LIMIT = 40
#: Unicode categories a name never needs: controls, format characters (zero-width
#: space and joiners, BOM, the bidi overrides U+202A–U+202E and U+2066–U+2069),
#: surrogates, private use, unassigned, line and paragraph separators
NAME_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
#: free text may hold line breaks and tabs, never other controls nor lone surrogates
TEXT_REFUSED_CATEGORIES = {"Cc", "Cs"}
MULTILINE_ALLOWED = {"\n", "\r", "\t"}
#: the usual lengths of the free-text fields, so the API, the forms and the
#: OpenAPI document say the same
MAX_LEN = {"name": 100, "person": 50, "username": 50, "password": 128, "title": 200,
           "text": 2000, "long_text": 5000, "comment": 2000, "search": 100}


class FieldErrors(dict):
    """Collects field → message; raise ValidationFailed(errors) if any."""


def shown(value) -> str:
    """A value as it may appear in a message: short, printable."""
    text = value if isinstance(value, str) else repr(value)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else "?" for ch in text)
    return text if len(text) <= ECHO_LIMIT else text[:ECHO_LIMIT] + "…"


def choices_text(choices: dict) -> str:
    """The accepted ids with their labels: 'city_department（市直部门）、county（县区）'."""
    return "、".join(f"{key}（{label}）" for key, label in choices.items())


def encoding_problem(text: str, *, multiline: bool = True) -> str | None:
    """Why a string cannot be stored as text, or None (NUL, lone surrogates, controls)."""
    for ch in text:
        if ch in MULTILINE_ALLOWED and multiline:
            continue
        category = unicodedata.category(ch)
        if ch == "\x00":
            return "含有空字符（NUL）"
        if category == "Cs":
            return "含有无效的 Unicode 字符（单独的代理项）"
        if category in TEXT_REFUSED_CATEGORIES:
            return "含有控制字符"
    return None


def invisible_problem(text: str) -> str | None:
    """Why a name cannot be shown unambiguously: invisible or direction-changing characters."""
    for ch in text:
        if unicodedata.category(ch) in NAME_REFUSED_CATEGORIES:
            return f"含有不可见或改变文字方向的字符（U+{ord(ch):04X}）"
    return None


def clean_text(value, field: str, label: str, errors: dict, *, max_len: int,
               required: bool = True, name_like: bool = False, multiline: bool = False,
               min_len: int = 0, visible: bool = False) -> str | None:
    """A trimmed text field. name_like: a name (no invisible characters, no markup punctuation);
    visible: a title (no invisible or direction-changing characters, any punctuation)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = f"{label}不能为空"
        return None
    if not isinstance(value, str):
        errors[field] = f"{label}必须是文本"
        return None
    value = value.strip()
    if len(value) > max_len:
        errors[field] = f"{label}不能超过{max_len}个字符（现有{len(value)}个）"
    elif len(value) < min_len:
        errors[field] = f"{label}至少{min_len}个字符"
    elif problem := encoding_problem(value, multiline=multiline):
        errors[field] = f"{label}{problem}"
    elif (name_like or visible) and (problem := invisible_problem(value)):
        errors[field] = f"{label}{problem}"
    elif name_like and (bad := sorted(set(value) & FORBIDDEN_NAME_CHARS)):
        errors[field] = f"{label}含有不允许的字符：{' '.join(bad)}"
    return value


def clean_phone(value, field: str, errors: dict) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        errors[field] = "电话号码必须是文本"
        return None
    text = re.sub(r"[\s]", "", str(value))
    if text.endswith(".0"):  # spreadsheets turn 13800138000 into 13800138000.0
        text = text[:-2]
    if not (MOBILE.match(text) or LANDLINE.match(text)) or not text.isascii():
        errors[field] = f"电话号码格式不正确：{shown(value)}（手机11位，座机如 0791-83986751）"
        return None
    return text


def clean_email(value, field: str, errors: dict) -> str | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if not isinstance(value, str) or len(value) > 254 or encoding_problem(value, multiline=False):
        errors[field] = f"电子邮箱格式不正确：{shown(value)}"
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        errors[field] = f"电子邮箱格式不正确：{shown(value)}"
        return None


def clean_choice(value, field: str, label: str, choices: dict, errors: dict,
                 *, required: bool = True) -> str | None:
    """Accepts the id or the Chinese label; returns the id. The message lists the ids."""
    if value is None or value == "":
        if required:
            errors[field] = f"{label}不能为空"
        return None
    if isinstance(value, str):
        if value in choices:
            return value
        by_label = {v: k for k, v in choices.items()}
        if value in by_label:
            return by_label[value]
    errors[field] = f"{label}不正确：{shown(value)}（可选：{choices_text(choices)}）"
    return None


def clean_bool(value, field: str, label: str, errors: dict, *, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "y", "是", "有"}:
            return True
        if text in {"0", "false", "no", "n", "否", "无"}:
            return False
    errors[field] = f"{label}应为“是”或“否”：{shown(value)}"
    return default


def parse_date(value) -> date | None:
    """A date from exactly YYYY-MM-DD within MIN_DATE..MAX_DATE, else None."""
    if isinstance(value, date):
        return value if MIN_DATE <= value <= MAX_DATE else None
    if not isinstance(value, str) or not ISO_DATE.match(value.strip()):
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if MIN_DATE <= day <= MAX_DATE else None


def clean_date(value, field: str, label: str, errors: dict, *, required: bool = True) -> date | None:
    if value is None or value == "":
        if required:
            errors[field] = f"{label}不能为空"
        return None
    day = parse_date(value)
    if day is None:
        errors[field] = (f"{label}不是有效日期：{shown(value)}（格式 YYYY-MM-DD，如 2023-11-05，"
                         f"年份在 {MIN_DATE.year}–{MAX_DATE.year} 之间）")
    return day


def parse_int(value, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """An int from an int or a string of ASCII digits, within the bounds; else None.

    Refused: booleans, floats (3.7 is not an id), "²", "１２", "1_000", " 12".
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and ASCII_INT.match(value):
        number = int(value)
    else:
        return None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        return None
    return number


def clean_int(value, field: str, label: str, errors: dict, *, required: bool = True,
              minimum: int | None = None, maximum: int | None = None) -> int | None:
    if value is None or value == "":
        if required:
            errors[field] = f"{label}不能为空"
        return None
    number = parse_int(value)
    if number is None:
        errors[field] = f"{label}必须是整数（只用 0–9）：{shown(value)}"
        return None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        low = "" if minimum is None else str(minimum)
        high = "" if maximum is None else str(maximum)
        errors[field] = f"{label}应在 {low} 到 {high} 之间：{number}"
        return None
    return number


def clean_id(value, field: str, label: str, errors: dict, *, required: bool = True) -> int | None:
    """An object's id: an integer in 1..2³¹−1, what both databases can hold."""
    return clean_int(value, field, label, errors, required=required, minimum=1, maximum=MAX_ID)


def clean_decimal(value, field: str, label: str, errors: dict, *, minimum: Decimal,
                  maximum: Decimal, places: int = 2) -> Decimal | None:
    """A finite number in range: NaN, Infinity, 1e400, "１２" and booleans are refused."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        errors[field] = f"{label}必须是数字：{shown(value)}"
        return None
    if isinstance(value, str) and not ASCII_DECIMAL.match(value.strip()):
        errors[field] = f"{label}必须是数字（如 92.5）：{shown(value)}"
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors[field] = f"{label}必须是数字：{shown(value)}"
        return None
    if not number.is_finite() or not (minimum <= number <= maximum):
        errors[field] = f"{label}应在 {minimum} 到 {maximum} 之间：{shown(value)}"
        return None
    return number.quantize(Decimal(1).scaleb(-places))


def check_strings(value, path: str = "", *, depth: int = 0) -> tuple[str, str] | None:
    """The first string (key or value) in parsed JSON that cannot be stored: (path, problem)."""
    if isinstance(value, str):
        problem = encoding_problem(value)
        return (path or "（根）", problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if problem := encoding_problem(key):
                return where, "字段名" + problem
            if found := check_strings(item, where, depth=depth + 1):
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if found := check_strings(item, f"{path}[{i}]", depth=depth + 1):
                return found
    return None
