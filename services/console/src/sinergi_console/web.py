"""What every page shares: the signed-in operator, the language, the API caller, flash
messages that survive a redirect, and rendering."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sinergi_console.api import ApiProblemError, Caller, Services
from sinergi_console.choices import label, options
from sinergi_console.session import LANG_COOKIE, Operator, chosen_lang, current_operator
from sinergi_kit.i18n import Lang, translate

FLASH_COOKIE = "sinergi_console_flash"
TEMPLATES = Path(__file__).parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


class LoginRequiredError(Exception):
    """Raised by a page that needs a signed-in operator; answered with the sign-in page."""


@dataclass
class Flash:
    kind: str
    text: str
    details: list[str]


@dataclass
class Page:
    """The request as a page sees it."""

    request: Request
    lang: Lang
    operator: Operator | None

    @property
    def can_write(self) -> bool:
        return self.operator is not None and self.operator.can_write

    @property
    def api(self) -> Caller:
        services: Services = self.request.app.state.services
        return services.caller(self.operator.token if self.operator else None, self.lang)

    def t(self, key: str, **params: object) -> str:
        return translate(key, self.lang, **params)

    def label(self, kind: str, value: Any) -> str:
        return label(kind, value, self.lang)

    def options(self, kind: str) -> list[tuple[str, str]]:
        return options(kind, self.lang)

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        flash = _read_flash(self.request)
        body = environment.get_template(template).render(
            page=self,
            t=self.t,
            label=self.label,
            options=self.options,
            operator=self.operator,
            lang=self.lang,
            flash=flash,
            **context,
        )
        response = HTMLResponse(body, status_code=status_code)
        response.headers["Content-Language"] = self.lang
        if flash is not None:
            response.delete_cookie(FLASH_COOKIE)
        self.remember_lang(response)
        return response

    def remember_lang(self, response: Response) -> None:
        if self.request.query_params.get("lang") in ("id", "en"):
            response.set_cookie(LANG_COOKIE, self.lang, max_age=365 * 86400, samesite="lax")

    def redirect(
        self, url: str, *, ok: str | None = None, problem: ApiProblemError | None = None
    ) -> Response:
        response = RedirectResponse(url, status_code=303)
        if ok is not None:
            _write_flash(response, Flash("ok", ok, []))
        if problem is not None:
            _write_flash(response, Flash("error", problem.detail, problem.field_errors))
        return response

    def lang_url(self, lang: Lang) -> str:
        query = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        query.append(("lang", lang))
        return self.request.url.path + "?" + "&".join(f"{k}={quote(v)}" for k, v in query)


def _write_flash(response: Response, flash: Flash) -> None:
    payload = json.dumps({"kind": flash.kind, "text": flash.text, "details": flash.details[:20]})
    encoded = base64.urlsafe_b64encode(payload.encode()).decode()
    response.set_cookie(FLASH_COOKIE, encoded, max_age=60, httponly=True, samesite="strict")


def _read_flash(request: Request) -> Flash | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode()))
        return Flash(str(data["kind"]), str(data["text"]), [str(d) for d in data["details"]])
    except (ValueError, KeyError, TypeError):
        return None


def any_page(request: Request) -> Page:
    return Page(request, chosen_lang(request), current_operator(request))


def signed_in_page(request: Request) -> Page:
    page = any_page(request)
    if page.operator is None:
        raise LoginRequiredError
    return page


AnyPage = Annotated[Page, Depends(any_page)]
SignedIn = Annotated[Page, Depends(signed_in_page)]
