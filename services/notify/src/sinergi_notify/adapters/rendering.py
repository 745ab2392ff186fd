"""Sandboxed Jinja2 rendering of stored templates, and the defaults shipped as files."""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, Template, TemplateError, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from sinergi_notify.domain.localtime import format_local
from sinergi_notify.domain.model import CHANNELS
from sinergi_notify.domain.templates import TemplateSource

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "templates" / "defaults"
CHAT_CHANNELS = tuple(c for c in CHANNELS if c != "email")
_URL = re.compile(r"(https?://[^\s<]+)")


class RenderError(ValueError):
    pass


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    locale: str
    version: int


@pass_context
def _local(context: Context, value: Any) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return format_local(moment, ZoneInfo(context["timezone"]), context["locale"])


def _environment(*, autoescape: bool) -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=True
    )
    environment.filters["local"] = _local
    return environment


def text_to_html(text: str) -> str:
    """A plain message as simple HTML: escaped, paragraphs, links clickable."""
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    rendered = []
    for paragraph in paragraphs:
        escaped = html.escape(paragraph).replace("\n", "<br>\n")
        rendered.append("<p>" + _URL.sub(r'<a href="\1">\1</a>', escaped) + "</p>")
    return "\n".join(rendered)


class Renderer:
    def __init__(self) -> None:
        self._text = _environment(autoescape=False)
        self._html = _environment(autoescape=True)
        self._compiled: dict[tuple[object, str], Template] = {}

    def _template(self, source: TemplateSource, part: str, body: str, html_part: bool) -> Template:
        key = (source.id, part)
        template = self._compiled.get(key)
        if template is None:
            environment = self._html if html_part else self._text
            template = environment.from_string(body)
            self._compiled[key] = template
        return template

    def render(
        self, source: TemplateSource, context: Mapping[str, Any], *, timezone: str
    ) -> Rendered:
        values = {**context, "timezone": timezone, "locale": source.locale}
        try:
            subject = self._template(source, "subject", source.subject, False).render(values)
            text = self._template(source, "text", source.body_text, False).render(values)
            if source.body_html:
                body_html = self._template(source, "html", source.body_html, True).render(values)
            else:
                body_html = text_to_html(text)
        except TemplateError as exc:
            raise RenderError(f"{source.key}/{source.channel}/{source.locale}: {exc}") from exc
        return Rendered(" ".join(subject.split()), text, body_html, source.locale, source.version)

    def check(self, subject: str, body_text: str, body_html: str | None) -> None:
        """Raise RenderError when a template does not compile."""
        try:
            self._text.from_string(subject)
            self._text.from_string(body_text)
            if body_html:
                self._html.from_string(body_html)
        except TemplateError as exc:
            raise RenderError(str(exc)) from exc


def default_templates(directory: Path = DEFAULTS_DIR) -> list[TemplateSource]:
    """The shipped templates, version 1, one per key × channel × locale."""
    sources: list[TemplateSource] = []
    for path in sorted(directory.glob("*.toml")):
        key = path.stem
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for locale in ("id", "en"):
            email, chat = data[locale]["email"], data[locale]["chat"]
            rows: list[tuple[str, str, str, str | None]] = [
                ("email", email["subject"], email["text"], email.get("html"))
            ]
            for chat_channel in CHAT_CHANNELS:
                subject = (
                    data["whatsapp_template"] if chat_channel == "whatsapp" else email["subject"]
                )
                rows.append((chat_channel, subject, chat["text"], None))
            for channel, subject, text, body_html in rows:
                sources.append(
                    TemplateSource(
                        id=uuid5(NAMESPACE_URL, f"sinergi:template:{key}:{channel}:{locale}:1"),
                        key=key,
                        channel=channel,
                        locale=locale,
                        version=1,
                        subject=subject,
                        body_text=text,
                        body_html=body_html,
                    )
                )
    return sources
