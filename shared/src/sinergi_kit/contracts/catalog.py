"""Generated documentation of the contracts: JSON Schemas, an AsyncAPI 3.0 document and the
event catalog in Markdown. Never kept by hand; a test checks the committed copies."""

from __future__ import annotations

import json
from typing import Any

from sinergi_kit.contracts.base import registered_contracts
from sinergi_kit.envelope import SPEC_VERSION
from sinergi_kit.messaging.topology import CONSUMERS, stream_name


def json_schemas() -> dict[str, dict[str, Any]]:
    return {
        event_type: model.model_json_schema(mode="serialization")
        for event_type, model in registered_contracts().items()
    }


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, schema in json_schemas().items():
        key = event_type.replace(".", "_")
        model = registered_contracts()[event_type]
        messages[key] = {
            "name": event_type,
            "summary": model.summary,
            "contentType": "application/json",
            "headers": {
                "type": "object",
                "required": [
                    "ce-specversion",
                    "ce-id",
                    "ce-type",
                    "ce-source",
                    "ce-time",
                    "Nats-Msg-Id",
                ],
                "properties": {
                    "ce-specversion": {"const": SPEC_VERSION},
                    "ce-id": {"type": "string", "format": "uuid", "description": "UUIDv7"},
                    "ce-type": {"const": event_type},
                    "ce-source": {"const": f"/sinergi/{model.producer()}"},
                    "ce-subject": {"type": "string"},
                    "ce-time": {"type": "string", "format": "date-time"},
                    "traceparent": {"type": "string"},
                    "Nats-Msg-Id": {"type": "string", "description": "equals ce-id"},
                },
            },
            "payload": schema,
        }
        channels[key] = {
            "address": event_type,
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
            "bindings": {"nats": {"bindingVersion": "0.1.0"}},
        }
        operations[f"publish_{key}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{key}"},
            "summary": f"{model.producer()} publishes to stream {stream_name(model.producer())}",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Sinergi domain events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 (binary mode) over NATS JetStream.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def markdown() -> str:
    lines = [
        "# Event catalog",
        "",
        "Generated from the contracts by `sinergi contracts docs`; do not edit by hand.",
        "",
        "Every event is a CloudEvents 1.0 message in binary mode: attributes in `ce-*` headers,",
        "`Nats-Msg-Id` = `ce-id` (UUIDv7), W3C `traceparent`, the JSON payload in the body.",
        "",
        "| type | producer (stream) | consumers | summary |",
        "|---|---|---|---|",
    ]
    contracts = registered_contracts()
    for event_type, model in contracts.items():
        consumers = sorted(
            c.durable for c in CONSUMERS if any(_matches(f, event_type) for f in c.filter_subjects)
        )
        lines.append(
            f"| `{event_type}` | {model.producer()} (`{stream_name(model.producer())}`) | "
            f"{', '.join(consumers) or '—'} | {model.summary} |"
        )
    for event_type, schema in json_schemas().items():
        lines += [
            "",
            f"## `{event_type}`",
            "",
            contracts[event_type].summary,
            "",
            "```json",
            json.dumps(schema, indent=2, ensure_ascii=False),
            "```",
        ]
    return "\n".join(lines) + "\n"


def _matches(pattern: str, subject: str) -> bool:
    wanted, actual = pattern.split("."), subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(actual) > index
        if index >= len(actual) or (token != "*" and token != actual[index]):
            return False
    return len(wanted) == len(actual)
