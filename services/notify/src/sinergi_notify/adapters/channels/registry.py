"""The channels switched on in settings."""

from __future__ import annotations

from sinergi_notify.adapters.channels.base import ChannelAdapter
from sinergi_notify.adapters.channels.email import EmailChannel
from sinergi_notify.adapters.channels.http import (
    SmsChannel,
    TelegramChannel,
    WebhookChannel,
    WhatsAppChannel,
)
from sinergi_notify.domain.model import Channel
from sinergi_notify.settings import NotifySettings


def build_channels(settings: NotifySettings) -> dict[Channel, ChannelAdapter]:
    adapters: dict[Channel, ChannelAdapter] = {}
    for name in dict.fromkeys(settings.channels):
        if name == "email":
            adapters[name] = EmailChannel(settings)
        elif name == "webhook":
            adapters[name] = WebhookChannel(settings)
        elif name == "telegram":
            adapters[name] = TelegramChannel(settings)
        elif name == "whatsapp":
            adapters[name] = WhatsAppChannel(settings)
        elif name == "sms":
            adapters[name] = SmsChannel(settings)
    return adapters
