"""Channels behind one interface: email, SMS, group robots; in-app is the app's.

``build_registry(config)`` turns the PUFA_* settings into one provider per
channel. The in-app inbox is a table of the app's, so the app adds its own
provider under ``IN_APP`` (``registry.add(IN_APP, provider)``).
"""
from __future__ import annotations

from collections.abc import Mapping

from notifications.channels import email as _email  # noqa: F401 - registers its providers
from notifications.channels import robots as _robots  # noqa: F401
from notifications.channels import sms as _sms  # noqa: F401
from notifications.channels.base import (
    DINGTALK, EMAIL, IN_APP, PROVIDERS, SMS, WECOM, ConfigError, DeliveryError, DeliveryResult, Message,
    Provider, ProviderRegistry, register,
)

__all__ = [
    "DINGTALK", "EMAIL", "IN_APP", "PROVIDERS", "SMS", "WECOM", "ConfigError", "DeliveryError", "DeliveryResult",
    "Message", "Provider", "ProviderRegistry", "build_registry", "register",
]


def build_registry(config: Mapping[str, str]) -> ProviderRegistry:
    """Email when PUFA_SMTP_HOST is set; SMS by PUFA_SMS_BACKEND (default console);
    the two group robots always (their address is in each message)."""
    registry = ProviderRegistry()
    if config.get("PUFA_SMTP_HOST"):
        registry.add(EMAIL, PROVIDERS[(EMAIL, "smtp")](config))
    backend = (config.get("PUFA_SMS_BACKEND") or "console").lower()
    if (SMS, backend) not in PROVIDERS:
        raise ConfigError(f"PUFA_SMS_BACKEND 应为 {' / '.join(_sms.BACKENDS)}：{backend}")
    registry.add(SMS, PROVIDERS[(SMS, backend)](config))
    registry.add(WECOM, PROVIDERS[(WECOM, "webhook")](config))
    registry.add(DINGTALK, PROVIDERS[(DINGTALK, "webhook")](config))
    return registry
