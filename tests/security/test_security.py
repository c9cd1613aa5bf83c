"""The shipped roles on a node with security on: the pipeline can do its job and nothing else, readers only read.

Why a real secured node: privileges are checked per action name by Elasticsearch, so only the real thing says
whether ``deploy/roles/*.json`` grant what the pipeline calls (and no more). One node on loopback (http 9250,
transport 9350) with its own data and config dirs; the ``elastic`` password is random, lives only in that
node's keystore and this process, and must never reach run summaries, quarantine notes, logs or the repo.
The roles are used as shipped: the test aliases start with ``articles`` so their ``articles*`` patterns apply.

Each role is tried both ways production can log in: as a user (file realm) and as an API key that the superuser
creates with the role's privileges as its role descriptor (``ELASTICSEARCH_API_KEY``). API keys live in the
``.security`` index, which this distribution can create only with ``plugins/analysis-lucene`` (it provides the
``uax_url_email`` tokenizer and the ``pattern_capture`` and ``unique`` filters that index's settings name).
The node's home is ``NEWSFACET_ES_HOME`` when set (as for ``newsfacet es``), else esnode's default.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import ApiError, AuthenticationException, AuthorizationException, Elasticsearch

from devtools import esnode
from devtools.settings import node_config
from etl.errors import AccessDenied, TransientError
from etl.run.flow import run
from etl.settings import Settings
from etl.store.client import connect, is_permanent
from etl.store.reindex import reindex, rollback
from tests.paths import PROJECT_ROOT, SEED_ARTICLE, SEEDS

pytestmark = pytest.mark.integration

HTTP_PORT = 9250
TRANSPORT_PORT = 9350
ROLES = PROJECT_ROOT / "deploy" / "roles"
WRITER = "nf_pipeline"
READER = "nf_reader"
LOGINS = ("file_user", "api_key")


@dataclass(frozen=True)
class Secured:
    """The node and every credential the tests created on it (all random, all secret)."""

    url: str
    elastic_password: str
    writer_password: str
    reader_password: str

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.elastic_password, self.writer_password, self.reader_password)

    def client(self, user: str) -> Elasticsearch:
        password = {"elastic": self.elastic_password, WRITER: self.writer_password, READER: self.reader_password}
        return Elasticsearch(self.url, basic_auth=(user, password[user]), request_timeout=30)


@dataclass(frozen=True)
class ApiKey:
    """An API key as the create API answers: ``encoded`` (base64 of ``id:secret``) is what ELASTICSEARCH_API_KEY
    holds; the id is not secret (Elasticsearch names it in its errors), the other two are."""

    id: str
    secret: str = field(repr=False)
    encoded: str = field(repr=False)


@dataclass(frozen=True)
class ApiKeys:
    """The pipeline's and a reader's API key, made once for the module."""

    writer: ApiKey
    reader: ApiKey

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.writer.secret, self.writer.encoded, self.reader.secret, self.reader.encoded)


@dataclass(frozen=True)
class Login:
    """How a test logs in as one role: the ELASTICSEARCH_* variables production reads, and the secrets among them."""

    env: dict[str, str] = field(repr=False)
    secrets: tuple[str, ...] = field(repr=False)

    def client(self, url: str) -> Elasticsearch:
        if "ELASTICSEARCH_API_KEY" in self.env:
            return Elasticsearch(url, api_key=self.env["ELASTICSEARCH_API_KEY"], request_timeout=30)
        return Elasticsearch(
            url, basic_auth=(self.env["ELASTICSEARCH_USERNAME"], self.env["ELASTICSEARCH_PASSWORD"]), request_timeout=30
        )


def _role_body(name: str) -> dict[str, Any]:
    """A role file as Elasticsearch takes it (the reader file is Kibana's format, its ES part under "elasticsearch")."""
    body: dict[str, Any] = json.loads((ROLES / f"{name}.json").read_text(encoding="utf-8"))
    if "elasticsearch" in body:
        body = {**body["elasticsearch"], "metadata": body.get("metadata", {})}
    return body


def _roles_yml() -> str:
    """``roles.yml`` holding the shipped roles unchanged: one line each, ``name: <JSON>`` (JSON is YAML).

    The file store cuts the file into roles at unindented lines, so a pretty-printed JSON document fails.
    """
    return "".join(f"{name}: {json.dumps(_role_body(name))}\n" for name in ("newsfacet_writer", "newsfacet_reader"))


def _create_api_key(admin: Elasticsearch, role: str, name: str) -> ApiKey:
    """An API key holding exactly the shipped role's privileges (its ``description`` is refused in a key's role
    descriptor: it says nothing about privileges). Expires in an hour in case a run dies before the wipe."""
    descriptor = {k: v for k, v in _role_body(role).items() if k != "description"}
    created = admin.security.create_api_key(name=name, expiration="1h", role_descriptors={role: descriptor})
    return ApiKey(id=created["id"], secret=created["api_key"], encoded=created["encoded"])


@pytest.fixture(scope="module")
def secured() -> Iterator[Secured]:
    """A fresh secured node with the shipped roles and a user for each; stopped and wiped afterwards.

    Roles and users live in files (file roles, file realm), so the users' tests need nothing from the ``.security``
    index; API keys do (see ``api_keys``). The role descriptors are the shipped ones either way.
    """
    password, writer_password, reader_password = (secrets.token_urlsafe(24) for _ in range(3))
    cfg = esnode.NodeConfig(
        home_root=node_config().home_root,
        http_port=HTTP_PORT,
        transport_port=TRANSPORT_PORT,
        cluster_name="nf-security",
        node_name="nf-security-1",  # its own data and logs dirs, not the shared ones
        heap="384m",
        java_opts=("-XX:TieredStopAtLevel=1",),
        security=True,
        bootstrap_password=password,
        config_files=(("roles.yml", _roles_yml()),),
        file_users=((WRITER, writer_password, ("newsfacet_writer",)), (READER, reader_password, ("newsfacet_reader",))),
    )
    esnode.stop(cfg)  # a leftover of an interrupted run (ours only)
    if esnode.status(cfg).running:
        pytest.fail(f"port {HTTP_PORT} is in use by a node esnode did not start")
    shutil.rmtree(cfg.data_dir, ignore_errors=True)  # an old cluster's stored passwords would live there
    try:
        esnode.start(cfg)
        secured = Secured(
            url=cfg.url, elastic_password=password, writer_password=writer_password, reader_password=reader_password
        )
        for user, privilege in ((WRITER, "index"), (READER, "read")):  # the roles loaded (a bad file is only logged)
            with secured.client(user) as client:
                check = _when_security_index_serves(
                    lambda c=client, p=privilege: c.security.has_privileges(
                        index=[{"names": ["articles-probe"], "privileges": [p]}]
                    )
                )
                assert check["has_all_requested"], f"{user}: roles.yml not applied ({check})"
        yield secured
    finally:
        esnode.stop(cfg)
        shutil.rmtree(cfg.data_dir, ignore_errors=True)
        shutil.rmtree(cfg.config_dir, ignore_errors=True)  # keystore and users file hold the secrets


def _when_security_index_serves(call: Callable[[], Any], timeout: float = 90.0) -> Any:
    """``call()``, once the node has finished creating its ``.security`` index: a fresh node creates it at start and
    answers 503 (unavailable shard) until its one shard is started, longer on a busy machine."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except ApiError as exc:
            if exc.meta.status != 503 or time.monotonic() > deadline:
                raise
            time.sleep(1)


@pytest.fixture(scope="module")
def api_keys(secured: Secured) -> ApiKeys:
    """The superuser makes one API key per shipped role, as an operator would for Airflow or a dashboard.

    The first key creates the ``.security`` index: a node without the plugin's analysis names fails here.
    """
    with secured.client("elastic") as admin:
        keys = ApiKeys(
            writer=_create_api_key(admin, "newsfacet_writer", "nf-test-pipeline"),
            reader=_create_api_key(admin, "newsfacet_reader", "nf-test-reader"),
        )
    for key, privilege in ((keys.writer, "index"), (keys.reader, "read")):
        with Elasticsearch(secured.url, api_key=key.encoded, request_timeout=30) as client:
            assert client.security.authenticate()["api_key"]["id"] == key.id
            check = client.security.has_privileges(index=[{"names": ["articles-probe"], "privileges": [privilege]}])
            assert check["has_all_requested"], f"API key {key.id}: {privilege} on articles* not granted ({check})"
    return keys


def _login(request: pytest.FixtureRequest, secured: Secured, user: str, how: str) -> Login:
    """Log in as ``user``'s role: with that file-realm user, or with the API key carrying the same role."""
    if how == "file_user":
        password = {WRITER: secured.writer_password, READER: secured.reader_password}[user]
        return Login(env={"ELASTICSEARCH_USERNAME": user, "ELASTICSEARCH_PASSWORD": password}, secrets=(password,))
    keys: ApiKeys = request.getfixturevalue("api_keys")  # only API-key runs need the .security index
    key = {WRITER: keys.writer, READER: keys.reader}[user]
    return Login(env={"ELASTICSEARCH_API_KEY": key.encoded}, secrets=(key.secret, key.encoded))


def _env(secured: Secured, alias: str, data_dir: Path, **credentials: str) -> Settings:
    """Settings as production builds them: from the environment, credentials included (inherited ones dropped)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ELASTICSEARCH_")}
    return Settings.from_env(
        {
            **base,
            "ELASTICSEARCH_URL": secured.url,
            "NEWSFACET_INDEX": alias,
            "NEWSFACET_DATA_DIR": str(data_dir),
            **credentials,
        }
    )


def _inbox(root: Path) -> Path:
    """Three good articles, plus inputs that end in quarantine notes (whose text must hold no secret)."""
    inbox = root / "inbox"
    inbox.mkdir()
    for name in (
        "rfi-2018-11-13-haftar-boycotts-palermo.txt",
        "newsfacet-demo-tripoli-fr.txt",
        "newsfacet-demo-sabha-fezzan.html",
    ):
        shutil.copy(SEEDS / name, inbox / name)
    shutil.copy(SEED_ARTICLE, inbox / "copy of the palermo story.txt")
    (inbox / "empty.txt").write_bytes(b"")
    return inbox


def _assert_no_secret(secrets: Sequence[str], where: str, text: str) -> None:
    leaked = [f"secret #{number}" for number, secret in enumerate(secrets) if secret in text]
    assert not leaked, f"{', '.join(leaked)} found in {where}"  # never print the secret itself


@pytest.mark.parametrize("how", LOGINS)
def test_pipeline_credentials_run_the_pipeline_and_leak_nothing(
    secured: Secured, how: str, tmp_path: Path, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    # Log in first: the admin's create-key answer (which holds the key) is logged at DEBUG, and is not the pipeline.
    login = _login(request, secured, WRITER, how)
    caplog.set_level(logging.DEBUG)
    alias = f"articles-sec-{uuid.uuid4().hex[:6]}"
    settings = _env(secured, alias, tmp_path / "var", **login.env)
    with connect(settings) as client:  # the identity the pipeline will use: the key itself, not its owner
        assert client.security.authenticate()["authentication_type"] == ("api_key" if how == "api_key" else "realm")
    inbox = _inbox(tmp_path)

    report = run([inbox], settings)  # no client given: connect() builds it from the settings' credentials
    assert report.indexed == 3, report.summary()
    assert report.rejected == {"duplicate": 1, "empty": 1}, report.summary()
    rerun = run([inbox], settings)  # the ledger is readable with these credentials too
    assert rerun.unchanged == 5 and rerun.indexed == 0, rerun.summary()

    # reindex_articles runs with the same role: build, check, swap, prune (a second rebuild deletes the index the
    # pipeline created, keep_indices being 2), and rollback.
    first = reindex(settings)
    assert first.new_count == 3
    second = reindex(settings)
    assert second.deleted and second.new_count == 3
    assert rollback(settings).to_index == first.build.index

    with secured.client("elastic") as admin:
        assert admin.count(index=alias)["count"] == 3
        assert admin.indices.exists(index=f"{alias}-ledger")

    summaries = list(settings.runs_dir.glob("*.json"))
    notes = list(settings.quarantine_dir.rglob("*.json"))
    assert len(summaries) == 2 and len(notes) == 2
    known = (*secured.secrets, *login.secrets)
    for path in [*summaries, *notes]:
        _assert_no_secret(known, str(path.relative_to(tmp_path)), path.read_text(encoding="utf-8"))
    _assert_no_secret(known, "the run report", json.dumps(report.to_dict()))
    assert caplog.records, "nothing was logged: the log check would prove nothing"
    _assert_no_secret(known, "captured logs", caplog.text)


@pytest.mark.parametrize("how", LOGINS)
def test_pipeline_credentials_cannot_write_outside_articles(
    secured: Secured, how: str, request: pytest.FixtureRequest
) -> None:
    with _login(request, secured, WRITER, how).client(secured.url) as writer:
        name = f"articles-sec-own-{uuid.uuid4().hex[:6]}"
        writer.indices.create(index=name, mappings={"dynamic": "strict", "properties": {"title": {"type": "text"}}})
        writer.index(index=name, id="1", document={"title": "x"}, refresh=True)
        for other in ("newsfacet-other", "logs-elsewhere", ".security"):
            with pytest.raises(AuthorizationException) as refused:
                writer.index(index=other, id="1", document={"title": "x"})
            assert refused.value.meta.status == 403
        with pytest.raises(AuthorizationException):
            writer.indices.create(index="newsfacet-other")
        with pytest.raises(AuthorizationException):
            writer.security.put_user(username="intruder", password=secrets.token_urlsafe(12), roles=["superuser"])
        with pytest.raises(AuthorizationException):  # a leaked pipeline credential cannot mint itself a new one
            writer.security.create_api_key(name="intruder")


@pytest.mark.parametrize("how", LOGINS)
def test_reader_credentials_search_but_cannot_write(secured: Secured, how: str, request: pytest.FixtureRequest) -> None:
    alias = f"articles-sec-read-{uuid.uuid4().hex[:6]}"
    with secured.client("elastic") as admin:
        admin.index(index=alias, id="a1", document={"title": "Haftar boycotts Palermo"}, refresh=True)
    with _login(request, secured, READER, how).client(secured.url) as reader:
        hits = reader.search(index=alias, query={"match": {"title": "palermo"}})["hits"]["hits"]
        assert [h["_id"] for h in hits] == ["a1"]
        assert reader.count(index="articles*")["count"] >= 1
        with pytest.raises(AuthorizationException) as refused:
            reader.index(index=alias, id="a2", document={"title": "y"})
        assert refused.value.meta.status == 403
        with pytest.raises(AuthorizationException):
            reader.delete(index=alias, id="a1")
        with pytest.raises(AuthorizationException):
            reader.indices.create(index=f"{alias}-new")
        with pytest.raises(AuthorizationException):
            reader.search(index="newsfacet-other")  # outside articles*: not even readable


def test_wrong_password_fails_without_echoing_it(
    secured: Secured, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = secrets.token_urlsafe(18)
    settings = _env(
        secured,
        f"articles-sec-bad-{uuid.uuid4().hex[:6]}",
        tmp_path / "var",
        ELASTICSEARCH_USERNAME=WRITER,
        ELASTICSEARCH_PASSWORD=wrong,
    )
    with pytest.raises(AccessDenied) as failed:
        run([_inbox(tmp_path)], settings)
    assert isinstance(failed.value.__cause__, AuthenticationException) and failed.value.__cause__.meta.status == 401
    assert wrong not in str(failed.value) and wrong not in caplog.text


def test_invalidated_api_key_fails_at_once_without_retrying(
    secured: Secured, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A revoked key is a configuration fault: one 401, no client retries, nothing that asks Airflow to retry."""
    caplog.set_level(logging.DEBUG)
    with secured.client("elastic") as admin:
        key = _create_api_key(admin, "newsfacet_writer", "nf-test-revoked")
    alias = f"articles-sec-revoked-{uuid.uuid4().hex[:6]}"
    settings = _env(secured, alias, tmp_path / "var", ELASTICSEARCH_API_KEY=key.encoded)
    with connect(settings) as client:
        assert client.security.authenticate()["api_key"]["id"] == key.id  # valid until now
        with secured.client("elastic") as admin:
            assert admin.security.invalidate_api_key(ids=[key.id])["invalidated_api_keys"] == [key.id]
        with pytest.raises(AuthenticationException) as refused:  # the very next call on a live client
            client.search(index=alias)
        assert refused.value.meta.status == 401
        assert f"api key [{key.id}] has been invalidated" in json.dumps(refused.value.body)

    caplog.clear()
    with pytest.raises(AccessDenied) as failed:  # a new pipeline run (a new Airflow task) fails too
        run([_inbox(tmp_path)], settings)
    assert isinstance(failed.value.__cause__, AuthenticationException) and failed.value.__cause__.meta.status == 401
    assert not failed.value.retryable and not isinstance(failed.value, TransientError)
    assert is_permanent(failed.value)  # the DAG's tasks fail at once on it (dags/task_faults.py), no retries
    requests = [r.getMessage() for r in caplog.records if r.name == "elastic_transport.transport"]
    assert len(requests) == 1 and "[status:401" in requests[0], requests  # asked once, not retried
    with secured.client("elastic") as admin:
        assert not admin.indices.get(index=f"{alias}*", expand_wildcards="all"), "a revoked key still wrote"
    for where, text in (("the error", str(failed.value)), ("captured logs", caplog.text)):
        _assert_no_secret((key.secret, key.encoded), where, text)


def test_no_secret_in_tracked_files(secured: Secured, api_keys: ApiKeys) -> None:
    """Runs last in the module: the earlier tests wrote summaries, notes and archives (under tmp, not the repo)."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True).stdout
    paths = [PROJECT_ROOT / p for p in tracked.decode("utf-8", "surrogateescape").split("\0") if p]
    assert paths, "git ls-files listed nothing"
    encoded = [s.encode() for s in (*secured.secrets, *api_keys.secrets)]
    for path in paths:
        if path.is_file():
            data = path.read_bytes()
            assert not any(secret in data for secret in encoded), f"a test secret appears in {path}"
