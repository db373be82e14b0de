"""One interface for every channel, and a registry of providers (CTFd's shape).

A provider sends one ``Message`` and either returns a ``DeliveryResult`` or
raises ``DeliveryError`` saying whether trying again could help. It never
swallows a failure into a return value: the delivery engine records it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

EMAIL, SMS, IN_APP, WECOM, DINGTALK = "email", "sms", "in_app", "wecom", "dingtalk"


@dataclass(frozen=True)
class Message:
    #: address for the channel: an email address, a mobile number, a robot's
    #: webhook URL, or (in-app) the app's user id as text
    recipient: str
    subject: str = ""
    text: str = ""
    html: str | None = None
    #: SMS: the pre-approved template key and its short variables
    template: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    #: the item's page (PUFA_BASE_URL + path), shown in every channel
    link: str | None = None
    #: the app's outbox key: becomes the Message-ID / the gateway's request id,
    #: so a retried send is recognisable on the other side
    key: str | None = None
    #: group robots: the robot's signing secret (钉钉 加签), when it has one
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class DeliveryResult:
    provider_message_id: str | None
    provider: str = ""


class DeliveryError(Exception):
    def __init__(self, message: str, *, retryable: bool, provider: str = "", code: str | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.provider = provider
        self.code = code

    def __repr__(self) -> str:
        return f"DeliveryError({str(self)!r}, retryable={self.retryable}, provider={self.provider!r})"


class Provider:
    """Base class: ``send`` one message; ``send_many`` may share a connection."""

    channel: str = ""
    name: str = ""

    def send(self, message: Message) -> DeliveryResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def send_many(self, messages: Iterable[Message]) -> list[DeliveryResult | DeliveryError]:
        """One outcome per message, in order; a failure never stops the batch."""
        out: list[DeliveryResult | DeliveryError] = []
        for message in messages:
            try:
                out.append(self.send(message))
            except DeliveryError as exc:
                out.append(exc)
        return out

    def close(self) -> None:
        pass


#: (channel, backend name) → factory(config) → Provider
PROVIDERS: dict[tuple[str, str], Callable[[Mapping[str, str]], Provider]] = {}


def register(channel: str, backend: str):
    def decorate(factory):
        PROVIDERS[(channel, backend)] = factory
        return factory
    return decorate


class ConfigError(ValueError):
    """A channel's settings are missing or wrong; the message names the setting."""


class ProviderRegistry:
    """The providers the app uses, one per channel name."""

    def __init__(self, providers: Mapping[str, Provider] | None = None):
        self._providers: dict[str, Provider] = dict(providers or {})

    def add(self, channel: str, provider: Provider) -> None:
        self._providers[channel] = provider

    def get(self, channel: str) -> Provider | None:
        return self._providers.get(channel)

    def __contains__(self, channel: str) -> bool:
        return channel in self._providers

    def channels(self) -> list[str]:
        return sorted(self._providers)

    def close(self) -> None:
        for provider in self._providers.values():
            provider.close()
