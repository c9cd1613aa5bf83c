"""Contract: docker-compose.yml, .env.example and deploy/ agree with each other and with the project.

No service runs here: these checks read files only, so a broken stack definition fails in CI, not on a
user's first `docker compose up`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.esnode import NodeConfig
from etl.settings import Settings
from tests.paths import PROJECT_ROOT

COMPOSE_PATH = PROJECT_ROOT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
DEPLOY = PROJECT_ROOT / "deploy"
DOCKERFILE = DEPLOY / "airflow.Dockerfile"
LOCK = PROJECT_ROOT / "requirements.lock"
ROLES = DEPLOY / "roles"

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}; `$${...}` is an escaped dollar.
VAR_RE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
SECRET_NAME_RE = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|ENCRYPTION_?KEY|FERNET_KEY|PRIVATE", re.I)
ONE_SHOT = {"setup", "kibana-import", "airflow-init"}
AIRFLOW_SERVICES = {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"}


def _compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return services


def _env_example() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f".env.example: not KEY=VALUE: {line!r}"
            out[key.strip()] = value.strip()
    return out


def _resolve(text: str, env: dict[str, str] | None = None) -> str:
    """Interpolate like Compose: the given env first, then the default after ':-' / '-'."""
    env = env or {}

    def sub(m: re.Match[str]) -> str:
        name, op, arg = m.group(1), m.group(2) or "", m.group(3) or ""
        if name in env and (env[name] or op not in (":-",)):
            return env[name]
        return arg if op in (":-", "-") else ""

    return VAR_RE.sub(sub, text).replace("$$", "$")


def _lock_version(package: str) -> str:
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        name, _, version = line.partition("==")
        if name.strip().lower().replace("_", "-") == package:
            return version.strip()
    raise AssertionError(f"{package} is not pinned in requirements.lock")


def _major_minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def _healthcheck_test(service: dict[str, Any]) -> str:
    test = (service.get("healthcheck") or {}).get("test")
    return " ".join(test) if isinstance(test, list) else str(test or "")


def _volume_target(volume: Any) -> str:
    if isinstance(volume, dict):
        return str(volume["target"])
    return _resolve(str(volume)).split(":")[1]


def _role_files() -> list[Path]:
    return sorted(ROLES.glob("*.json"))


def _role_index_grants(role: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """(cluster privileges, index grants) of an Elasticsearch role body or a Kibana role-API body."""
    body = role.get("elasticsearch", role)
    return list(body.get("cluster", [])), list(body.get("indices", []))


# ---------------------------------------------------------------- structure


def test_compose_parses_and_has_the_stack() -> None:
    services = _services()
    expected = {
        "setup",
        "elasticsearch",
        "kibana",
        "kibana-import",
        "postgres",
        "airflow-init",
        "redis",
        "airflow-worker",
    } | AIRFLOW_SERVICES
    assert expected <= set(services), f"missing services: {sorted(expected - set(services))}"


def test_every_service_has_an_image_or_a_buildable_dockerfile() -> None:
    for name, service in _services().items():
        assert service.get("image") or service.get("build"), f"{name}: neither image nor build"
        build = service.get("build")
        if build:
            context = PROJECT_ROOT / (build if isinstance(build, str) else build.get("context", "."))
            dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            assert context.is_dir(), f"{name}: build context {context} missing"
            assert (context / dockerfile).is_file(), f"{name}: Dockerfile {context / dockerfile} missing"


def test_official_elastic_and_airflow_images() -> None:
    services = _services()
    assert services["elasticsearch"]["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:")
    assert services["setup"]["image"] == services["elasticsearch"]["image"]
    assert services["kibana"]["image"].startswith("docker.elastic.co/kibana/kibana:")
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM apache/airflow:\$\{AIRFLOW_VERSION\}-python\$\{PYTHON_VERSION\}", text, re.M)
    for name in AIRFLOW_SERVICES | {"airflow-init", "airflow-worker"}:
        assert services[name]["build"]["dockerfile"] == "deploy/airflow.Dockerfile", name


def test_airflow_image_pins_match_the_lock() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    airflow = re.search(r"^ARG AIRFLOW_VERSION=(\S+)", text, re.M)
    python = re.search(r"^ARG PYTHON_VERSION=(\S+)", text, re.M)
    assert airflow and python
    assert airflow.group(1) == _lock_version("apache-airflow") == "3.3.2"
    assert python.group(1) == "3.11"
    assert re.search(r"pip install .*-c requirements\.lock", text), "the project must install with the lock"
    for src in re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", text, re.M):
        for part in src.split():
            assert part == "." or (PROJECT_ROOT / part).exists(), f"Dockerfile copies missing {part}"


def test_depends_on_names_services() -> None:
    services = _services()
    for name, service in services.items():
        deps = service.get("depends_on") or {}
        for dep in deps if isinstance(deps, list) else deps.keys():
            assert dep in services, f"{name} depends on unknown service {dep}"
            assert dep != name, f"{name} depends on itself"
            if isinstance(deps, dict):
                condition = deps[dep].get("condition", "service_started")
                assert condition in ("service_started", "service_healthy", "service_completed_successfully")
                if condition == "service_healthy":
                    assert services[dep].get("healthcheck"), f"{name} waits for {dep} healthy: no healthcheck"
                if condition == "service_completed_successfully":
                    assert dep in ONE_SHOT, f"{name} waits for {dep} to finish, a long-running service"


def test_profiled_services_are_not_required_by_default_services() -> None:
    services = _services()
    for name, service in services.items():
        if service.get("profiles"):
            continue
        for dep in service.get("depends_on") or {}:
            assert not services[dep].get("profiles"), f"{name} (default) depends on profiled {dep}"


def test_volume_sources_exist_or_are_declared() -> None:
    declared = set((_compose().get("volumes") or {}).keys())
    used: set[str] = set()
    for name, service in _services().items():
        for volume in service.get("volumes") or []:
            if isinstance(volume, dict):
                source, kind = str(volume.get("source", "")), volume.get("type", "volume")
            else:
                source = _resolve(str(volume)).split(":")[0]
                kind = "bind" if source.startswith((".", "/", "~")) else "volume"
            if kind == "bind":
                path = (PROJECT_ROOT / _resolve(source)).resolve()
                assert path.exists(), f"{name}: bind source {source} ({path}) missing from the repository"
                assert PROJECT_ROOT.resolve() in (path, *path.parents), f"{name}: {source} is outside the repo"
            else:
                assert source in declared, f"{name}: named volume {source} is not declared"
                used.add(source)
    assert declared == used, f"declared but unused volumes: {sorted(declared - used)}"


def test_every_variable_has_a_default_or_is_in_env_example() -> None:
    example = _env_example()
    missing = []
    for m in VAR_RE.finditer(COMPOSE_PATH.read_text(encoding="utf-8")):
        name, op = m.group(1), m.group(2) or ""
        if op not in (":-", "-") and name not in example:
            missing.append(name)
    assert not missing, f"variables with neither a default nor an .env.example entry: {sorted(set(missing))}"


def test_env_example_lists_only_used_variables() -> None:
    used = {m.group(1) for m in VAR_RE.finditer(COMPOSE_PATH.read_text(encoding="utf-8"))}
    unused = set(_env_example()) - used
    assert not unused, f".env.example has variables docker-compose.yml never reads: {sorted(unused)}"


def test_defaults_agree_with_env_example() -> None:
    example = _env_example()
    for m in VAR_RE.finditer(COMPOSE_PATH.read_text(encoding="utf-8")):
        name, op, default = m.group(1), m.group(2) or "", m.group(3) or ""
        if op == ":-" and name in example and example[name]:
            assert default == example[name], f"${{{name}}}: default {default!r} != .env.example {example[name]!r}"


def test_healthchecks_on_long_running_services() -> None:
    services = _services()
    for name in ("elasticsearch", "kibana", "postgres", "airflow-apiserver", "airflow-scheduler"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service.get("restart", "no") == "no", f"one-shot {name} must not restart"
            continue
        assert _healthcheck_test(service), f"long-running {name} has no healthcheck"
    assert "8974/health" in _healthcheck_test(services["airflow-scheduler"])
    assert "/api/v2/version" in _healthcheck_test(services["airflow-apiserver"])
    assert "--cacert" in _healthcheck_test(services["elasticsearch"]), "the ES healthcheck must verify TLS"


def test_kibana_import_runs_after_kibana_is_healthy() -> None:
    services = _services()
    assert services["kibana-import"]["depends_on"]["kibana"]["condition"] == "service_healthy"
    script = (DEPLOY / "kibana-import.sh").read_text(encoding="utf-8")
    assert "/api/saved_objects/_import?overwrite=true" in script
    assert "kbn-xsrf" in script
    assert "kibana/newsfacet.ndjson" in script and (DEPLOY / "kibana" / "newsfacet.ndjson").is_file()
    assert "http://kibana:5601" in _environment(services["kibana-import"]).get("KIBANA_URL", "")


# ---------------------------------------------------------------- versions


def test_stack_version_matches_the_pinned_client() -> None:
    client = _lock_version("elasticsearch")
    example = _env_example()["STACK_VERSION"]
    defaults = [
        m.group(3) for m in VAR_RE.finditer(COMPOSE_PATH.read_text(encoding="utf-8")) if m.group(1) == "STACK_VERSION"
    ]
    assert defaults, "docker-compose.yml must use ${STACK_VERSION:-...}"
    assert set(defaults) == {example}, f"compose defaults {set(defaults)} != .env.example {example}"
    assert _major_minor(example) == _major_minor(client), f"stack {example} vs client elasticsearch=={client}"
    assert example == NodeConfig().version, "the test node and the compose stack run different versions"
    for name in ("setup", "elasticsearch", "kibana", "kibana-import"):
        assert _resolve(_services()[name]["image"]).endswith(":" + example), name


# ---------------------------------------------------------------- Airflow wiring


def test_airflow_services_get_the_newsfacet_settings() -> None:
    services = _services()
    settings_vars = set(re.findall(r'env\.get\("([A-Z0-9_]+)"', (PROJECT_ROOT / "etl" / "settings.py").read_text()))
    required = {
        "ELASTICSEARCH_URL",
        "ELASTICSEARCH_USERNAME",
        "ELASTICSEARCH_PASSWORD",
        "ELASTICSEARCH_API_KEY",
        "ELASTICSEARCH_CA_CERTS",
        "NEWSFACET_INDEX",
        "NEWSFACET_INBOX",
        "NEWSFACET_DATA_DIR",
        "NEWSFACET_SCHEDULE",
    }
    assert required <= settings_vars, "etl/settings.py no longer reads a variable compose sets"
    for name in AIRFLOW_SERVICES | {"airflow-worker"}:
        env = _environment(services[name])
        assert required <= set(env), f"{name} lacks {sorted(required - set(env))}"
        project = {k for k in env if k.startswith(("ELASTICSEARCH_", "NEWSFACET_"))}
        assert project <= settings_vars, f"{name}: etl/settings.py reads none of {sorted(project - settings_vars)}"
        assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "false"
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/newsfacet/app/dags"
        assert env["ELASTICSEARCH_URL"].startswith("https://elasticsearch:")
        targets = {_volume_target(v) for v in services[name]["volumes"]}
        assert env["NEWSFACET_INBOX"] == "/opt/newsfacet/inbox" and env["NEWSFACET_INBOX"] in targets
        assert env["NEWSFACET_DATA_DIR"] in targets, f"{name}: the data dir must be a volume"
        assert env["ELASTICSEARCH_CA_CERTS"].startswith("/opt/newsfacet/certs/")
        assert "/opt/newsfacet/certs" in targets
    inbox = [v for v in services["airflow-scheduler"]["volumes"] if _volume_target(v) == "/opt/newsfacet/inbox"]
    assert _resolve(str(inbox[0])).startswith("./seeds:"), "the default inbox is ./seeds"


def test_settings_from_the_container_environment() -> None:
    env = {
        k: _resolve(v, {"NEWSFACET_ES_PASSWORD": "x"})
        for k, v in _environment(_services()["airflow-scheduler"]).items()
    }
    settings = Settings.from_env(env)
    assert settings.index_alias == Settings().index_alias == "articles"
    assert str(settings.inbox) == "/opt/newsfacet/inbox"
    assert settings.elasticsearch_username == "newsfacet_pipeline"
    assert settings.elasticsearch_api_key is None, "an empty ELASTICSEARCH_API_KEY must mean none"
    assert settings.schedule == "@hourly"


def test_elasticsearch_default_connection_parses() -> None:
    from airflow.models.connection import Connection

    raw = _environment(_services()["airflow-scheduler"])["AIRFLOW_CONN_ELASTICSEARCH_DEFAULT"]
    conn = Connection.from_json(_resolve(raw, {"NEWSFACET_ES_PASSWORD": "abc123"}), conn_id="elasticsearch_default")
    assert conn.conn_type == "elasticsearch"
    assert (conn.host, conn.port, conn.schema) == ("elasticsearch", 9200, "https")
    assert conn.login == "newsfacet_pipeline" and conn.password == "abc123"
    assert conn.extra_dejson["ca_certs"] == "/opt/newsfacet/certs/ca/ca.crt"


def test_celery_profile_scales_out() -> None:
    services = _services()
    assert services["redis"].get("profiles") == ["celery"]
    assert services["airflow-worker"].get("profiles") == ["celery"]
    worker = _environment(services["airflow-worker"])
    assert worker["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert worker["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
    assert services["airflow-worker"]["depends_on"]["redis"]["condition"] == "service_healthy"
    scheduler = _environment(services["airflow-scheduler"])["AIRFLOW__CORE__EXECUTOR"]
    assert _resolve(scheduler) == "LocalExecutor"
    assert _resolve(scheduler, {"AIRFLOW_EXECUTOR": "CeleryExecutor"}) == "CeleryExecutor"
    for name in AIRFLOW_SERVICES:
        assert not services[name].get("profiles"), f"{name} must run without a profile"


def test_airflow_shares_its_secrets_across_components() -> None:
    envs = [_environment(s) for n, s in _services().items() if n in AIRFLOW_SERVICES | {"airflow-worker"}]
    for key in (
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    ):
        assert len({env[key] for env in envs}) == 1, f"{key} differs between Airflow components"


# ---------------------------------------------------------------- security


def test_security_is_on_with_tls() -> None:
    env = _environment(_services()["elasticsearch"])
    assert env["xpack.security.enabled"] == "true"
    assert env["xpack.security.http.ssl.enabled"] == "true"
    assert env["xpack.security.transport.ssl.enabled"] == "true"
    kibana = _environment(_services()["kibana"])
    assert kibana["ELASTICSEARCH_USERNAME"] == "kibana_system"
    assert kibana["ELASTICSEARCH_HOSTS"].startswith("https://")
    setup = (DEPLOY / "es-setup.sh").read_text(encoding="utf-8")
    assert "elasticsearch-certutil ca" in setup and "elasticsearch-certutil cert" in setup
    assert "/_security/user/kibana_system/_password" in setup
    assert re.search(r"dns: \[elasticsearch\b", setup), "the node certificate must name the `elasticsearch` host"


def test_no_secret_is_committed() -> None:
    for key, value in _env_example().items():
        if SECRET_NAME_RE.search(key):
            assert value == "", f".env.example ships a value for secret {key}"
    for name, service in _services().items():
        for key, value in _environment(service).items():
            if SECRET_NAME_RE.search(key) and not key.endswith(("_FILE", "_USERNAME")):
                for m in VAR_RE.finditer(value):
                    assert m.group(2) not in (":-", "-") or m.group(3) == "", f"{name}: {key} has a default"
                literal = VAR_RE.sub("", value)
                assert not re.search(r"[A-Za-z0-9+/=_-]{8,}", literal), f"{name}: {key} holds a literal value"
    texts = [COMPOSE_PATH, ENV_EXAMPLE, *DEPLOY.rglob("*")]
    for path in texts:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "-----BEGIN" not in text, f"{path} holds a key or certificate"
            assert not re.search(
                r"(?i)(password|secret)\s*[:=]\s*['\"]?(changeme|password|secret|admin|airflow)\b", text
            ), f"{path} holds a well-known default password"
    if (PROJECT_ROOT / ".git").exists() and shutil.which("git"):
        tracked = subprocess.run(["git", "ls-files", ".env"], cwd=PROJECT_ROOT, capture_output=True, text=True)
        assert tracked.stdout.strip() == "", ".env is tracked by git"


@pytest.mark.parametrize("path", _role_files(), ids=lambda p: p.name)
def test_roles_grant_only_articles_indices(path: Path) -> None:
    role = json.loads(path.read_text(encoding="utf-8"))
    cluster, grants = _role_index_grants(role)
    assert grants, f"{path.name} grants no index"
    assert set(cluster) <= {"cluster:admin/analyze"}, f"{path.name}: cluster privileges {cluster}"
    assert "run_as" not in role and "applications" not in role.get("elasticsearch", role)
    forbidden = {"all", "manage", "*", "manage_ilm", "auto_configure", "manage_data_stream_lifecycle"}
    for grant in grants:
        assert grant["names"] == ["articles*"], f"{path.name}: index names {grant['names']}"
        assert not grant.get("allow_restricted_indices", False)
        assert not forbidden & set(grant["privileges"]), f"{path.name}: {forbidden & set(grant['privileges'])}"
        assert not any(p.endswith("*") for p in grant["privileges"]), f"{path.name}: wildcard privilege"


def test_writer_can_do_what_the_pipeline_does_and_no_more() -> None:
    cluster, grants = _role_index_grants(json.loads((ROLES / "newsfacet_writer.json").read_text()))
    privileges = set(grants[0]["privileges"])
    # etl/store/: analyze without an index (cluster:admin/analyze), create, alias swap, bulk index/delete,
    # mget/search, exists/get_alias, refresh. etl/store/reindex.py: settings/mapping updates of the index it builds,
    # stats, deleting superseded versioned indices. Anything more needs a reason here first.
    assert cluster == ["cluster:admin/analyze"]
    assert privileges == {
        "create_index",
        "index",
        "delete",
        "read",
        "view_index_metadata",
        "maintenance",
        "monitor",
        "indices:admin/aliases",
        "indices:admin/settings/update",
        "indices:admin/mapping/put",
        "delete_index",
    }


def test_reader_roles_are_read_only() -> None:
    for name in ("newsfacet_reader.json", "newsfacet_reader_fallback.json"):
        role = json.loads((ROLES / name).read_text())
        cluster, grants = _role_index_grants(role)
        assert cluster == []
        assert all(set(g["privileges"]) <= {"read", "view_index_metadata"} for g in grants)
        for kibana in role["kibana"]:
            assert set(kibana["base"]) <= {"read"}
            assert all(set(p) == {"read"} for p in kibana["feature"].values())


def test_setup_creates_what_compose_configures() -> None:
    setup = (DEPLOY / "es-setup.sh").read_text(encoding="utf-8")
    kibana = (DEPLOY / "kibana-import.sh").read_text(encoding="utf-8")
    for role_file in ("newsfacet_writer.json",):
        assert role_file in setup and (ROLES / role_file).is_file()
    for role_file in ("newsfacet_reader.json", "newsfacet_reader_fallback.json"):
        assert role_file in kibana and (ROLES / role_file).is_file()
    assert re.search(r'roles\\?":\[\\?"newsfacet_writer', setup), "the pipeline user must get newsfacet_writer"
    env = _environment(_services()["setup"])
    for var in re.findall(r"^for var in (.+?); do", setup, re.S | re.M)[0].replace("\\", " ").split():
        assert var in env, f"es-setup.sh needs {var}, the setup service does not pass it"
    assert "/deploy" in [_volume_target(v) for v in _services()["setup"]["volumes"]]


@pytest.mark.parametrize("script", sorted(DEPLOY.glob("*.sh")), ids=lambda p: p.name)
def test_deploy_scripts_are_valid_bash(script: Path) -> None:
    bash = shutil.which("bash")
    assert bash, "bash is needed to check the deploy scripts"
    result = subprocess.run([bash, "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert script.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script.read_text(encoding="utf-8")
