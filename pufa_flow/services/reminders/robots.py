"""Work-group robots (企业微信 / 钉钉 group-robot webhooks): a unit's and the office's.

The office edits any unit's and its own; a unit edits its own. A URL must be
https on the platform's own host (qyapi.weixin.qq.com / oapi.dingtalk.com),
so a reminder cannot be sent to an arbitrary server. The 钉钉 加签 secret is
stored and used to sign each message, and never shown back in full. The
robot channels of ``notifications.channels.robots`` deliver to these URLs:
a ladder rung with the channel "wecom" or "dingtalk" reaches the unit's group
(its contacts' roles) or the office's group (role "office").
"""
from __future__ import annotations

import re
import urllib.parse

import sqlalchemy as sa

from ...errors import Forbidden, ValidationFailed
from ...extensions import db
from ...models import ROBOT_PLATFORMS, RobotHook
from ...models.scoping import check_write
from .. import audit
from ..transaction import transaction

HOSTS = {"wecom": "qyapi.weixin.qq.com", "dingtalk": "oapi.dingtalk.com"}
PATHS = {"wecom": "/cgi-bin/webhook/send", "dingtalk": "/robot/send"}
TOKENS = {"wecom": "key", "dingtalk": "access_token"}
SECRET = re.compile(r"^SEC[0-9a-zA-Z]{20,120}$")


def hooks(unit) -> dict[str, RobotHook]:
    """platform → hook, of ``unit`` (None: the office's)."""
    where = RobotHook.unit_id.is_(None) if unit is None else RobotHook.unit_id == unit.id
    return {h.platform: h for h in db.session.scalars(sa.select(RobotHook).where(where))}


def masked(secret: str | None) -> str:
    return "" if not secret else f"{secret[:3]}…{secret[-4:]}"


def _check(actor, unit) -> None:
    role = getattr(actor, "role", None)
    if unit is None and role != "office":
        raise Forbidden("只有普法办可以设置普法办的群机器人")
    if unit is not None:
        if role not in ("office", "unit"):
            raise Forbidden("只有普法办和本单位用户可以设置群机器人")
        check_write(actor, unit)


def clean_url(platform: str, raw, errors: dict) -> str | None:
    label = ROBOT_PLATFORMS[platform]
    url = (raw or "").strip() if isinstance(raw, str) else None
    if not url:
        return None
    parts = urllib.parse.urlsplit(url) if len(url) <= 500 else None
    query = urllib.parse.parse_qs(parts.query) if parts else {}
    if parts is None or parts.scheme != "https":
        errors[f"{platform}.url"] = f"{label}地址须以 https:// 开头（不超过 500 个字符）"
    elif parts.hostname != HOSTS[platform] or parts.port not in (None, 443) or parts.username or parts.password:
        errors[f"{platform}.url"] = f"{label}地址须在 {HOSTS[platform]} 上"
    elif parts.path != PATHS[platform] or not query.get(TOKENS[platform]) or parts.fragment:
        errors[f"{platform}.url"] = (f"{label}地址应形如 https://{HOSTS[platform]}{PATHS[platform]}"
                                     f"?{TOKENS[platform]}=…（在群设置的机器人详情中复制）")
    return url


def save(unit, data: dict, *, actor) -> dict[str, RobotHook]:
    """``data``: {"wecom": {"url": …}, "dingtalk": {"url": …, "secret": …}}; a blank URL removes
    the robot, a blank secret keeps the one stored (``"clear_secret": true`` removes it)."""
    _check(actor, unit)
    if not isinstance(data, dict):
        raise ValidationFailed({"robots": "应为对象"})
    errors: dict[str, str] = {}
    clean = {}
    for platform in ROBOT_PLATFORMS:
        raw = data.get(platform)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            errors[platform] = "应为对象"
            continue
        url = clean_url(platform, raw.get("url"), errors)
        secret = raw.get("secret")
        secret = secret.strip() if isinstance(secret, str) else None
        if secret and platform != "dingtalk":
            errors[f"{platform}.secret"] = "企业微信群机器人不用加签密钥"
        elif secret and not SECRET.match(secret):
            errors[f"{platform}.secret"] = "钉钉加签密钥应以 SEC 开头（在机器人安全设置的“加签”中复制）"
        clean[platform] = (url, secret or None, bool(raw.get("clear_secret")))
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        found = hooks(unit)
        changes = {}
        for platform, (url, secret, clear) in clean.items():
            hook = found.get(platform)
            if url is None:
                if hook is not None:
                    db.session.delete(hook)
                    changes[platform] = "removed"
                continue
            hook = hook or RobotHook(unit_id=unit.id if unit else None, platform=platform)
            hook.url = url
            if secret or clear:
                hook.secret = secret
            db.session.add(hook)
            changes[platform] = {"url": url, "secret": masked(hook.secret)}
        db.session.flush()
        audit.record("reminders.robots", "unit" if unit else "reminder_policy", unit.id if unit else None,
                     actor=actor, unit_id=unit.id if unit else None, data=changes)
    return hooks(unit)


def secrets_by_url(urls) -> dict[str, str]:
    """Delivery's lookup: the signing secret of each robot URL about to be sent to."""
    urls = list(set(urls))
    if not urls:
        return {}
    return {url: secret for url, secret in db.session.execute(
        sa.select(RobotHook.url, RobotHook.secret).where(RobotHook.url.in_(urls), RobotHook.secret.is_not(None)))}
