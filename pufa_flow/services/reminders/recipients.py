"""Who a ladder's roles are, and where each channel reaches them.

A unit's 联络员 / 分管领导 / 主要负责人 are its contacts (email, mobile); the
in-app inbox is the unit's group inbox (``unit:<id>``: every account of the
unit reads it) or the office's (``office``). The office's own email and
mobile come from PUFA_OFFICE_EMAIL / PUFA_OFFICE_PHONE. A contact without an
address for a channel is simply not reached by it (the timeline shows that).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app

from notifications.policy import ROLES

CONTACT_ROLES = ("liaison", "leader", "principal")
MOBILE = re.compile(r"^1\d{10}$")


@dataclass(frozen=True)
class Address:
    role: str
    channel: str
    #: what the channel delivers to: an email address, a mobile number, an inbox
    address: str
    name: str = ""
    #: the contact asked for a daily digest: the row waits ("held") for the morning
    held: bool = False

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


def audience(unit) -> set[str]:
    """The roles that exist for this unit: those with a contact on file, and the office."""
    roles = {c.role for c in (unit.contacts if unit is not None else [])}
    return roles | {"office"}


def _office(channel: str) -> list[Address]:
    config = current_app.config
    if channel == "in_app":
        return [Address("office", "in_app", "office", "普法办")]
    if channel == "email":
        return [Address("office", "email", a.strip(), "普法办")
                for a in (config.get("PUFA_OFFICE_EMAIL") or "").split(",") if a.strip()]
    if channel == "sms":
        return [Address("office", "sms", p.strip(), "普法办")
                for p in (config.get("PUFA_OFFICE_PHONE") or "").split(",") if MOBILE.match(p.strip())]
    return []


def preferences(unit_ids) -> dict:
    """contact id → ReminderPreference, for the contacts of these units that set one."""
    import sqlalchemy as sa

    from ...extensions import db
    from ...models import ReminderPreference

    ids = list(set(unit_ids))
    if not ids:
        return {}
    return {p.contact_id: p for p in db.session.scalars(
        sa.select(ReminderPreference).where(ReminderPreference.unit_id.in_(ids)))}


ROBOT_CHANNELS = ("wecom", "dingtalk")


def robot_urls(unit_ids) -> dict[tuple[int | None, str], str]:
    """(unit id, or None for the office; platform) → the work group's robot URL, for these units."""
    import sqlalchemy as sa

    from ...extensions import db
    from ...models import RobotHook

    ids = [u for u in set(unit_ids) if u is not None]
    where = RobotHook.unit_id.is_(None) if not ids else sa.or_(RobotHook.unit_id.is_(None), RobotHook.unit_id.in_(ids))
    return {(h.unit_id, h.platform): h.url for h in db.session.execute(
        sa.select(RobotHook.unit_id, RobotHook.platform, RobotHook.url).where(where))}


def _robot(unit, role: str, channel: str, robots) -> list[Address]:
    """A role reached through a work group: the unit's group for its contacts, the office's for the office."""
    owner = None if role == "office" else unit.id
    if robots is None:
        robots = robot_urls([owner])
    url = robots.get((owner, channel))
    return [Address(role, channel, url, "普法办" if owner is None else unit.name)] if url else []


def addresses(unit, role: str, channel: str, prefs=None, robots=None) -> list[Address]:
    """Every address of ``role`` (of ``unit``) on ``channel``, as the contacts'
    preferences (``prefs``: contact id → preference) allow; may be empty.
    ``robots``: ``robot_urls(...)`` for the batch (else read here)."""
    if channel in ROBOT_CHANNELS and (role == "office" or (role in CONTACT_ROLES and unit is not None)):
        return _robot(unit, role, channel, robots)
    if role == "office":
        return _office(channel)
    if role not in CONTACT_ROLES or unit is None:
        return []  # evaluators and panel members are chased by the cycle's reminders
    if channel == "in_app":
        return [Address(role, "in_app", f"unit:{unit.id}", unit.name)]
    out = []
    for contact in unit.contacts:
        if contact.role != role:
            continue
        pref = (prefs or {}).get(contact.id)
        if pref is not None and not getattr(pref, channel, True):
            continue  # the contact turned this channel off
        held = pref is not None and pref.mode == "digest"
        if channel == "email" and contact.email:
            out.append(Address(role, "email", contact.email, contact.name, held))
        elif channel == "sms" and contact.phone and MOBILE.match(contact.phone):
            out.append(Address(role, "sms", contact.phone, contact.name, held))
    return out
