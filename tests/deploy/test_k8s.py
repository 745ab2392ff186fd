"""deploy/k8s against the Kubernetes API schemas (kubernetes-validate, strict) and the
platform's rules; the NATS cluster's own config runs here as a real three-node cluster."""

from __future__ import annotations

import asyncio
import copy
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import nats
import pytest
import yaml
from sqlalchemy.engine import make_url

from sinergi_kit.messaging.topology import STREAMS, provision
from sinergi_kit.nats_server import free_port, nats_server_binary, wait_for_port

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
APP_SERVICES = {"registry": 8101, "events": 8102, "notify": 8103, "factcheck": 8104}
# The oldest Kubernetes release still widely run, and the newest the linter knows.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
NAMESPACE = "sinergi"


def load_resources() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    docs: list[dict[str, Any]] = []
    for name in kustomization["resources"]:
        text = (K8S / name).read_text(encoding="utf-8")
        docs += [doc for doc in yaml.safe_load_all(text) if doc]
    return docs


@pytest.fixture(scope="module")
def resources() -> list[dict[str, Any]]:
    return load_resources()


def find(resources: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(matches) == 1, (kind, name)
    return matches[0]


def container(resource: dict[str, Any]) -> dict[str, Any]:
    containers = resource["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return dict(containers[0])


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    listed = set(kustomization["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present
    images = {image["name"] for image in kustomization["images"]}
    assert images == {f"sinergi/{name}" for name in [*APP_SERVICES, "ops"]}


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_is_valid_for_kubernetes(
    resources: list[dict[str, Any]], version: str
) -> None:
    for resource in resources:
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_linter_rejects_a_broken_deployment(resources: list[dict[str, Any]]) -> None:
    broken = copy.deepcopy(find(resources, "Deployment", "registry"))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)
    broken = copy.deepcopy(find(resources, "Deployment", "registry"))
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


def test_everything_lives_in_the_namespace(resources: list[dict[str, Any]]) -> None:
    for resource in resources:
        if resource["kind"] != "Namespace":
            assert resource["metadata"]["namespace"] == NAMESPACE, resource["metadata"]["name"]


def settings_of(resources: list[dict[str, Any]], spec: dict[str, Any], name: str) -> dict[str, str]:
    """The container's environment, every variable a setting of the service ``name``."""
    prefix = f"SINERGI_{name.upper()}_"
    sources = spec["envFrom"]
    assert all(source["prefix"] == prefix for source in sources)
    config = find(resources, "ConfigMap", sources[0]["configMapRef"]["name"])["data"]
    secrets: dict[str, str] = {}
    for source in sources[1:]:
        secrets |= find(resources, "Secret", source["secretRef"]["name"])["stringData"]
    env = {prefix + k: v for k, v in {**config, **secrets}.items()}
    env |= {item["name"]: item["value"] for item in spec["env"]}
    module = __import__(f"sinergi_{name}.settings", fromlist=["*"])
    settings_class = next(
        v for k, v in vars(module).items() if k.endswith("Settings") and k != "ServiceSettings"
    )
    assert set(env) <= {prefix + field.upper() for field in settings_class.model_fields}
    return env


def test_the_events_outbox_is_published_by_a_relay_deployment_of_its_own(
    resources: list[dict[str, Any]],
) -> None:
    service = settings_of(resources, container(find(resources, "Deployment", "events")), "events")
    deployment = find(resources, "Deployment", "events-relay")
    assert deployment["spec"]["replicas"] >= 2, "one publishes, one stands by"
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    spec = container(deployment)
    assert spec["image"] == container(find(resources, "Deployment", "events"))["image"]
    assert spec["args"] == ["relay"]
    (metrics,) = spec["ports"]
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(metrics["containerPort"])
    assert annotations["prometheus.io/path"] == "/metrics"
    relay = settings_of(resources, spec, "events")
    assert service["SINERGI_EVENTS_OUTBOX_RELAY"] == relay["SINERGI_EVENTS_OUTBOX_RELAY"]
    assert relay["SINERGI_EVENTS_OUTBOX_RELAY"] == "own_process"
    assert relay["SINERGI_EVENTS_DATABASE_URL"] == service["SINERGI_EVENTS_DATABASE_URL"]
    assert (
        relay["SINERGI_EVENTS_OUTBOX_RELAY_PROCESS_METRICS_PORT"]
        == annotations["prometheus.io/port"]
    )
    assert relay["SINERGI_EVENTS_HTTP_HOST"] == "0.0.0.0"
    heartbeat = relay["SINERGI_EVENTS_OUTBOX_RELAY_PROCESS_HEARTBEAT"]
    assert heartbeat.startswith("/tmp/")
    assert {"name": "tmp", "mountPath": "/tmp"} in spec["volumeMounts"]
    probe = spec["livenessProbe"]["exec"]["command"]
    assert "SINERGI_EVENTS_OUTBOX_RELAY_PROCESS_HEARTBEAT" in probe[-1]
    assert {"cpu", "memory"} <= set(spec["resources"]["limits"])


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_service_deployment_probes_limits_and_settings(
    resources: list[dict[str, Any]], name: str
) -> None:
    deployment = find(resources, "Deployment", name)
    assert deployment["spec"]["replicas"] >= 2
    pod = deployment["spec"]["template"]
    assert pod["metadata"]["labels"]["app.kubernetes.io/name"] == name
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    spec = container(deployment)
    assert spec["image"].startswith(f"sinergi/{name}:")
    assert spec["args"] == ["serve", "--no-migrate"]
    assert spec["ports"] == [{"name": "http", "containerPort": APP_SERVICES[name]}]
    assert spec["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert spec["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert {"cpu", "memory"} <= set(spec["resources"]["limits"])
    assert {"cpu", "memory"} <= set(spec["resources"]["requests"])

    prefix = f"SINERGI_{name.upper()}_"
    env = settings_of(resources, spec, name)
    assert env[prefix + "PROVISION_TOPOLOGY_ON_START"] == "false"
    assert env[prefix + "NATS_URL"] == "nats://nats:4222"
    assert env[prefix + "HTTP_PORT"] == str(APP_SERVICES[name])
    url = make_url(env[prefix + "DATABASE_URL"])
    assert url.username == url.database == f"sinergi_{name}"

    service = find(resources, "Service", name)
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": name}
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert find(resources, "PodDisruptionBudget", name)["spec"]["minAvailable"] == 1


def test_the_provisioning_job_migrates_everything_and_replicates_streams(
    resources: list[dict[str, Any]],
) -> None:
    job = find(resources, "Job", "sinergi-provision")
    spec = container(job)
    script = spec["command"][2]
    for name in APP_SERVICES:
        assert f"python -m sinergi_{name} migrate" in script
        source = {"secretRef": {"name": f"sinergi-{name}-db"}, "prefix": f"SINERGI_{name.upper()}_"}
        assert source in spec["envFrom"]
    assert "sinergi topology provision --replicas 3" in script
    assert spec["image"].startswith("sinergi/ops:")


def nats_config(resources: list[dict[str, Any]]) -> str:
    return str(find(resources, "ConfigMap", "nats-config")["data"]["nats.conf"])


def test_nats_is_a_three_node_cluster_with_durable_storage(
    resources: list[dict[str, Any]],
) -> None:
    statefulset = find(resources, "StatefulSet", "nats")
    assert statefulset["spec"]["replicas"] == 3
    headless = find(resources, "Service", statefulset["spec"]["serviceName"])
    assert headless["spec"]["clusterIP"] == "None"
    conf = nats_config(resources)
    routes = re.findall(r"nats://([\w.-]+):6222", conf)
    assert routes == [f"nats-{i}.nats-headless.{NAMESPACE}.svc" for i in range(3)]
    assert "sync_interval: always" in conf
    mounts = {m["name"]: m["mountPath"] for m in container(statefulset)["volumeMounts"]}
    assert mounts["data"] == "/data" and "store_dir: /data\n" in conf
    claims = statefulset["spec"]["volumeClaimTemplates"]
    assert [claim["metadata"]["name"] for claim in claims] == ["data"]
    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    assert container(statefulset)["image"] == compose["services"]["nats"]["image"]


@pytest.fixture
def local_cluster(
    resources: list[dict[str, Any]], tmp_path: Path
) -> Iterator[list[tuple[str, subprocess.Popen[bytes]]]]:
    """The StatefulSet's config, three servers here: route names -> 127.0.0.1 ports."""
    conf = nats_config(resources)
    cluster_ports = [free_port() for _ in range(3)]
    for i, port in enumerate(cluster_ports):
        conf = conf.replace(f"nats-{i}.nats-headless.{NAMESPACE}.svc:6222", f"127.0.0.1:{port}")
    servers: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    monitors: list[int] = []
    try:
        for i in range(3):
            store = tmp_path / f"nats-{i}"
            node_conf = tmp_path / f"nats-{i}.conf"
            node_conf.write_text(
                conf.replace("store_dir: /data\n", f'store_dir: "{store}"\n')
                .replace("pid_file: /var/run/nats/nats.pid", f'pid_file: "{tmp_path}/{i}.pid"')
                .replace("listen: 0.0.0.0:6222", f"listen: 127.0.0.1:{cluster_ports[i]}")
            )
            client, monitor = free_port(), free_port()
            servers.append(
                subprocess.Popen(
                    [
                        *(nats_server_binary(), "-c", str(node_conf), "-a", "127.0.0.1"),
                        *("-p", str(client), "-m", str(monitor)),
                    ],
                    env={"POD_NAME": f"nats-{i}"},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            urls.append(f"nats://127.0.0.1:{client}")
            monitors.append(monitor)
        for monitor in monitors:
            wait_for_port("127.0.0.1", monitor)
        yield list(zip(urls, servers, strict=True))
    finally:
        for server in servers:
            if server.poll() is None:
                server.terminate()
        for server in servers:
            server.wait(timeout=15)


async def provision_and_publish(url: str, stop_a_node: subprocess.Popen[bytes]) -> Any:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream(timeout=5)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while True:  # until the cluster has elected its JetStream meta leader
            try:
                report = await provision(js, replicas=3)
                break
            except Exception:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.25)
        info = await js.stream_info(STREAMS["registry"].name)
        stop_a_node.terminate()
        await loop.run_in_executor(None, stop_a_node.wait)
        deadline = loop.time() + 30
        while True:  # a stream of three replicas keeps a quorum with one node down
            try:
                ack = await js.publish("sinergi.registry.account.registered.v1", b"{}")
                break
            except Exception:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.25)
        return report, info, ack
    finally:
        await nc.close()


def test_the_cluster_config_forms_a_cluster_that_replicates_streams(
    local_cluster: list[tuple[str, subprocess.Popen[bytes]]],
) -> None:
    (url, _), _, (_, third) = local_cluster
    report, info, ack = asyncio.run(provision_and_publish(url, third))
    assert {f"stream:{spec.name}" for spec in STREAMS.values()} <= set(report.created)
    assert info.config.num_replicas == 3
    assert info.cluster.name == "sinergi"
    assert info.cluster.leader in {"nats-0", "nats-1", "nats-2"}
    assert len(info.cluster.replicas) == 2
    assert ack.stream == STREAMS["registry"].name
