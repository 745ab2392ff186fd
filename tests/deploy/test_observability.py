"""The Grafana dashboard asks only for metrics the kit exposes; Prometheus scrapes every service."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.metrics import MetricWrapperBase

from sinergi_kit.metrics import METRICS

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}
PROMQL_FUNCTIONS_AND_KEYWORDS = {"le"}
REQUIRED = {
    "published": "sinergi_events_published_total",
    "consumed": "sinergi_events_consumed_total",
    "redelivered": "sinergi_events_redelivered_total",
    "dead_lettered": "sinergi_events_dead_lettered_total",
    "outbox_lag": "sinergi_outbox_lag_seconds",
    "handler_latency": "sinergi_handler_seconds_bucket",
}


def kit_series() -> dict[str, set[str]]:
    """Every series name the kit's metrics expose, with the labels each carries."""
    series: dict[str, set[str]] = {}
    for field in fields(METRICS):
        metric = getattr(METRICS, field.name)
        assert isinstance(metric, MetricWrapperBase)
        labels = set(metric._labelnames)
        for described in metric.describe():
            for suffix in SUFFIXES[described.type]:
                series[described.name + suffix] = labels
    return series


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "sinergi-dashboard.json").read_text("utf-8"))
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_kit_series_are_what_the_dashboard_expects() -> None:
    series = kit_series()
    for field_name, name in REQUIRED.items():
        assert field_name in {f.name for f in fields(METRICS)}
        assert name in series


def test_every_metric_the_dashboard_references_exists_in_the_kit() -> None:
    series = kit_series()
    expressions = dashboard_expressions()
    referenced: set[str] = set()
    for expr in expressions:
        for name in re.findall(r"\b(sinergi_\w+)", expr):
            assert name in series, f"{name} in {expr!r}"
            referenced.add(name)
            for group in re.findall(r"by \(([^)]*)\)", expr):
                labels = {label.strip() for label in group.split(",")}
                assert labels <= series[name] | PROMQL_FUNCTIONS_AND_KEYWORDS, expr
    assert set(REQUIRED.values()) <= referenced


def test_the_checker_catches_an_unknown_metric() -> None:
    series = kit_series()
    assert "sinergi_events_publish_total" not in series
    assert "sinergi_handler_seconds" not in series  # a histogram is queried by its buckets


def test_prometheus_scrapes_every_compose_service_and_relay() -> None:
    config: dict[str, Any] = yaml.safe_load(
        (DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8")
    )
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    targets = {t for group in job["static_configs"] for t in group["targets"]}
    expected = set()
    for name in ("registry", "events", "notify", "factcheck"):
        port = compose["services"][name]["environment"][f"SINERGI_{name.upper()}_HTTP_PORT"]
        expected.add(f"{name}:{port}")
    for name, service in compose["services"].items():
        if service.get("command") == ["relay"]:
            prefix = f"SINERGI_{name.removesuffix('-relay').upper()}_"
            port = service["environment"][prefix + "OUTBOX_RELAY_PROCESS_METRICS_PORT"]
            expected.add(f"{name}:{port}")
    assert targets == expected
    prometheus = compose["services"]["prometheus"]
    assert "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]


def test_grafana_provisions_the_dashboard_over_prometheus() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    volumes = compose["services"]["grafana"]["volumes"]
    provider = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "dashboards" / "sinergi.yaml").read_text("utf-8")
    )
    path = provider["providers"][0]["options"]["path"]
    assert f"./grafana/sinergi-dashboard.json:{path}/sinergi-dashboard.json:ro" in volumes
    datasource = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yaml").read_text("utf-8")
    )["datasources"][0]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
