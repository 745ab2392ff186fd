"""The public feed as Atom (RFC 4287)."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree

from sinergi_factcheck.domain.publication import Clarification

ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(items: list[Clarification], *, feed_url: str, title: str, updated: datetime) -> bytes:
    ElementTree.register_namespace("", ATOM)

    def sub(
        parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str
    ) -> ElementTree.Element:
        element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ElementTree.Element(f"{{{ATOM}}}feed", {"xml:lang": "id"})
    sub(feed, "id", feed_url)
    sub(feed, "title", title)
    sub(feed, "updated", (items[0].updated_at if items else updated).isoformat())
    sub(feed, "link", rel="self", href=feed_url)
    for item in items:
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:uuid:{item.id}")
        prefix = "[DITARIK] " if item.status == "retracted" else ""
        sub(entry, "title", f"{prefix}[{item.label}] {item.text.title_id}")
        sub(entry, "link", rel="alternate", href=item.url)
        sub(entry, "published", item.published_at.isoformat())
        sub(entry, "updated", item.updated_at.isoformat())
        sub(entry, "summary", item.text.summary_id)
        sub(entry, "category", term=item.label)
        author = sub(entry, "author")
        sub(author, "name", "KKD Kabupaten Jombang")
    document: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
