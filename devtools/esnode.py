"""A local Elasticsearch node for machines without Docker (developers' boxes and CI).

Elastic's minimal ``integ-test-zip`` distribution comes from Maven Central (the only place
reachable here besides PyPI/npm/Debian), runs on a system JDK (none is bundled) and lacks
analysis-common, so the test-only ``plugins/analysis-lucene`` plugin is built and installed
to make the production mapping work unchanged. Elasticsearch refuses to run as root, so
when we are root the node runs as an unprivileged system user.

Stdlib only (its one newsfacet import is the error tree), and no Airflow: the CLI and CI call this before anything
else exists. A development tool, outside the product package ``etl``; it needs a source checkout (the plugin's Maven
project). Its settings (``NEWSFACET_ES_*``) are read by ``devtools.settings``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.errors import LocalNodeError

__all__ = [
    "ANALYSIS_NAMES",
    "NodeConfig",
    "NodeStatus",
    "detect_java_home",
    "ensure_installed",
    "kill",
    "start",
    "status",
    "stop",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
PLUGIN_PROJECT = REPO_ROOT / "plugins" / "analysis-lucene"
PLUGIN_NAME = "analysis-lucene"
DIST_GROUP = "org.elasticsearch.distribution.integ-test-zip"
DIST_ARTIFACT = "elasticsearch"
MIN_JAVA = 21

#: Analysis components the production mapping needs; analyzers first, then token filters.
ANALYZER_NAMES: tuple[str, ...] = ("english", "french", "german", "spanish", "arabic")
FILTER_NAMES: tuple[str, ...] = ("asciifolding",)
ANALYSIS_NAMES: tuple[str, ...] = ANALYZER_NAMES + FILTER_NAMES

_INSTALLED_MARKER = ".newsfacet-installed"
_PLUGIN_MARKER = ".newsfacet-plugin.sha256"


def _progress(message: str) -> None:
    """Tell the person waiting what is going on (downloads and startup take a while)."""
    print(f"[esnode] {message}", flush=True)


def _java_major(jdk: Path) -> int | None:
    """Major version of a JDK from its ``release`` file, or None if it is not a JDK."""
    release = jdk / "release"
    if not (jdk / "bin" / "java").is_file() or not release.is_file():
        return None
    match = re.search(r'^JAVA_VERSION="(\d+)(?:\.\d+)*', release.read_text(errors="replace"), re.M)
    if match is None:
        return None
    major = int(match.group(1))
    return 8 if major == 1 else major


def detect_java_home() -> Path | None:
    """The newest JDK >= 21 under /usr/lib/jvm (ES 9 needs 21+); ``ES_JAVA_HOME`` overrides it (devtools.settings)."""
    jvm_dir = Path("/usr/lib/jvm")
    if not jvm_dir.is_dir():
        return None
    best: tuple[int, Path] | None = None
    for candidate in sorted(jvm_dir.iterdir()):
        major = _java_major(candidate)
        if major is not None and major >= MIN_JAVA and (best is None or major > best[0]):
            best = (major, candidate.resolve())
    return best[1] if best else None


def _default_home_root() -> Path:
    """Root cannot hand ~ (mode 700) to the run user, so it uses /var/lib; others use ~/.cache/newsfacet."""
    return Path("/var/lib/newsfacet") if os.geteuid() == 0 else Path.home() / ".cache" / "newsfacet"


@dataclass(frozen=True)
class NodeConfig:
    """Where and how the local node lives; the defaults suit tests on a 2-core CI machine."""

    version: str = "9.5.2"
    home_root: Path = field(default_factory=_default_home_root)
    http_port: int = 9200
    heap: str = "512m"
    java_home: Path | None = field(default_factory=detect_java_home)
    run_user: str = "newsfacet"
    #: None: build plugins/analysis-lucene (if missing or stale) and use its zip.
    plugin_zip: Path | None = None
    cluster_name: str = "newsfacet-test"
    start_timeout: float = 300.0  # 10-30 s on an idle 2-core machine; minutes when it is busy
    stop_timeout: float = 30.0
    #: Set for a node of a multi-node cluster: it then gets its own data, logs and config dirs.
    node_name: str | None = None
    #: None: Elasticsearch picks the first free port of 9300-9399.
    transport_port: int | None = None
    #: Non-empty: join/form a cluster through these ``host:transport_port`` instead of ``single-node``.
    seed_hosts: tuple[str, ...] = ()
    #: Node names that may bootstrap the cluster (only with ``seed_hosts``; set it on every node of a new cluster).
    initial_master_nodes: tuple[str, ...] = ()
    #: Extra ``-E`` settings, applied last (they override ours).
    extra_settings: tuple[tuple[str, str], ...] = ()
    #: Security (authentication, roles, API keys) on, HTTP and transport without TLS: loopback tests only.
    security: bool = False
    #: Extra JVM options after the heap, e.g. ``-XX:TieredStopAtLevel=1`` to start short-lived test nodes faster.
    java_opts: tuple[str, ...] = ()
    #: The ``elastic`` user's password until one is stored in the cluster; written to this node's own keystore.
    bootstrap_password: str | None = field(default=None, repr=False)
    #: Files written into this node's own config dir before it starts, e.g. ``("roles.yml", text)``: file roles
    #: work where the roles API cannot (this distribution's ``.security`` index needs analysis-common).
    config_files: tuple[tuple[str, str], ...] = ()
    #: File-realm users ``(name, password, roles)``, added with ``elasticsearch-users`` (password through stdin).
    file_users: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default=(), repr=False)

    @property
    def es_home(self) -> Path:
        return self.home_root / f"elasticsearch-{self.version}"

    @property
    def effective_node_name(self) -> str:
        return self.node_name or f"{self.cluster_name}-1"

    @property
    def own_config(self) -> bool:
        """Whether the node gets its own config dir: its keystore must not touch the install shared with 9200."""
        return (
            self.node_name is not None
            or self.bootstrap_password is not None
            or bool(self.config_files)
            or bool(self.file_users)
        )

    @property
    def config_dir(self) -> Path:
        """``ES_PATH_CONF``: a per-node copy of ES home's config when ``own_config``, else ES home's own."""
        if self.own_config:
            return self.home_root / "config" / f"{self.cluster_name}-{self.effective_node_name}-{self.http_port}"
        return self.es_home / "config"

    @property
    def download_dir(self) -> Path:
        return self.home_root / "downloads"

    @property
    def dist_zip(self) -> Path:
        return self.download_dir / f"{DIST_ARTIFACT}-{self.version}.zip"

    @property
    def data_dir(self) -> Path:
        """Per cluster; per node too when named, as nodes can no longer share a data path."""
        if self.node_name is not None:
            return self.home_root / "data" / self.cluster_name / self.node_name
        return self.home_root / "data" / self.cluster_name

    @property
    def logs_dir(self) -> Path:
        """Shared by single nodes (files are named after the cluster); per node when named."""
        if self.node_name is not None:
            return self.home_root / "logs" / self.cluster_name / self.node_name
        return self.home_root / "logs"

    @property
    def pid_file(self) -> Path:
        """One per cluster and port, so that configs sharing a home never clobber each other."""
        return self.home_root / "run" / f"{self.cluster_name}-{self.http_port}.pid"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def auth_header(self) -> dict[str, str]:
        """Basic auth as ``elastic`` for our own health and status probes on a secured node."""
        if not self.security or self.bootstrap_password is None:
            return {}
        token = base64.b64encode(f"elastic:{self.bootstrap_password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    @property
    def as_root(self) -> bool:
        """Whether the node must be started through ``runuser`` (it refuses to run as root)."""
        return os.geteuid() == 0

    def resolved_plugin_zip(self) -> Path:
        """The plugin zip to install: the configured one, or the Maven build's output."""
        if self.plugin_zip is not None:
            return self.plugin_zip
        return PLUGIN_PROJECT / "target" / f"{PLUGIN_NAME}-{self.version}.zip"

    def require_java_home(self) -> Path:
        """The JDK to use, checked, since a wrong one fails late and obscurely."""
        if self.java_home is None:
            raise LocalNodeError(f"no JDK >= {MIN_JAVA} found under /usr/lib/jvm; install one or set ES_JAVA_HOME")
        major = _java_major(self.java_home)
        if major is None or major < MIN_JAVA:
            raise LocalNodeError(f"{self.java_home} is not a JDK >= {MIN_JAVA} (found {major})")
        return self.java_home


@dataclass(frozen=True)
class NodeStatus:
    """What is answering on the configured port, if anything."""

    running: bool
    url: str
    pid: int | None = None
    version: str | None = None
    cluster_name: str | None = None
    health: str | None = None
    #: Plugin names from ``_nodes/plugins``.
    plugins: tuple[str, ...] = ()
    #: Those of ANALYSIS_NAMES that ``_analyze`` accepts on this node.
    analysis: tuple[str, ...] = ()
    #: False when the node answering was not started by us (no matching pid file).
    managed: bool = False

    @property
    def missing_analysis(self) -> tuple[str, ...]:
        return tuple(name for name in ANALYSIS_NAMES if name not in self.analysis)


# --------------------------------------------------------------------------- helpers


def _run(
    cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, stdin_text: str | None = None
) -> None:
    """Run a command, raising LocalNodeError with its output when it fails.

    ``stdin_text`` is how secrets reach a tool: never on the command line (``ps``) nor in the error message.
    """
    try:
        proc = subprocess.run(
            cmd,
            env=env,
            cwd=cwd,
            input=stdin_text,
            stdin=subprocess.DEVNULL if stdin_text is None else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise LocalNodeError(f"command not found: {cmd[0]} (needed for the local node)") from exc
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-40:])
        raise LocalNodeError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")


def _sbin(tool: str) -> str:
    """A system tool by its full path when PATH lacks the sbin folders (root with ``PATH=/usr/bin:/bin``)."""
    found = shutil.which(tool) or next((f"{d}/{tool}" for d in ("/usr/sbin", "/sbin") if Path(d, tool).is_file()), None)
    return found or tool


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _m2_artifact(cfg: NodeConfig) -> Path:
    group_path = Path(*DIST_GROUP.split("."))
    return (
        Path.home()
        / ".m2"
        / "repository"
        / group_path
        / DIST_ARTIFACT
        / cfg.version
        / f"{DIST_ARTIFACT}-{cfg.version}.zip"
    )


def _verify_zip(cfg: NodeConfig) -> None:
    """Check the download against Maven's .sha1 when there is one, else the zip's own CRCs.

    The repository reachable here serves no checksum for this zip (``--strict-checksums``
    fails), so usually the CRC test of every member is what guards against a bad download.
    """
    sha1_file = _m2_artifact(cfg).with_name(_m2_artifact(cfg).name + ".sha1")
    if sha1_file.is_file():
        expected = sha1_file.read_text().split()[0].strip().lower()
        actual = _sha1(cfg.dist_zip)
        if actual != expected:
            raise LocalNodeError(f"{cfg.dist_zip}: sha1 {actual} != {expected} from {sha1_file}")
        return
    try:
        with zipfile.ZipFile(cfg.dist_zip) as archive:
            bad = archive.testzip()
    except zipfile.BadZipFile as exc:
        raise LocalNodeError(f"{cfg.dist_zip} is not a valid zip: {exc}") from exc
    if bad is not None:
        raise LocalNodeError(f"{cfg.dist_zip}: corrupt member {bad}")


def _download(cfg: NodeConfig) -> None:
    """Fetch the distribution through Maven, which knows the only reachable repository."""
    if cfg.dist_zip.is_file():
        try:
            _verify_zip(cfg)
            return
        except LocalNodeError as exc:
            _progress(f"cached download is bad ({exc}); fetching again")
            cfg.dist_zip.unlink()
    cfg.download_dir.mkdir(parents=True, exist_ok=True)
    artifact = f"{DIST_GROUP}:{DIST_ARTIFACT}:{cfg.version}:zip"
    _progress(f"downloading {artifact} from Maven Central (about 130 MB, once) ...")
    started = time.monotonic()
    _run(
        ["mvn", "-q", "-B", "dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={cfg.download_dir}"],
        cwd=cfg.download_dir,  # no pom.xml here, so Maven runs without a project
    )
    if not cfg.dist_zip.is_file():
        raise LocalNodeError(f"mvn dependency:copy did not produce {cfg.dist_zip}")
    _verify_zip(cfg)
    _progress(f"downloaded in {time.monotonic() - started:.1f}s")


def _unzip(cfg: NodeConfig) -> None:
    """Unpack into a temporary sibling then rename, so a broken unzip never looks installed."""
    if (cfg.es_home / _INSTALLED_MARKER).is_file():
        return
    _progress(f"unzipping into {cfg.es_home} ...")
    started = time.monotonic()
    if cfg.es_home.exists():
        shutil.rmtree(cfg.es_home)
    staging = Path(tempfile.mkdtemp(prefix=".unzip-", dir=cfg.home_root))
    try:
        with zipfile.ZipFile(cfg.dist_zip) as archive:
            for info in archive.infolist():
                target = Path(archive.extract(info, staging))
                mode = (info.external_attr >> 16) & 0o777
                if mode:  # zipfile drops Unix permissions; bin/ scripts need their x bits
                    target.chmod(mode)
        top = staging / f"elasticsearch-{cfg.version}"
        if not top.is_dir():
            raise LocalNodeError(f"{cfg.dist_zip} has no elasticsearch-{cfg.version}/ folder")
        top.rename(cfg.es_home)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    (cfg.es_home / _INSTALLED_MARKER).write_text(cfg.version + "\n")
    _progress(f"unzipped in {time.monotonic() - started:.1f}s")


def _lucene_version(cfg: NodeConfig) -> str:
    """Lucene version inside the distribution: the plugin must compile against exactly it."""
    for jar in (cfg.es_home / "lib").glob("lucene-core-*.jar"):
        return jar.name[len("lucene-core-") : -len(".jar")]
    raise LocalNodeError(f"no lucene-core jar in {cfg.es_home / 'lib'}")


def _plugin_is_stale(zip_path: Path) -> bool:
    """Rebuild when any source of the plugin is newer than its zip."""
    if not zip_path.is_file():
        return True
    built = zip_path.stat().st_mtime
    sources = [PLUGIN_PROJECT / "pom.xml", *(p for p in (PLUGIN_PROJECT / "src").rglob("*") if p.is_file())]
    return any(src.stat().st_mtime > built for src in sources)


def _build_plugin(cfg: NodeConfig) -> Path:
    """Build the analysis plugin with Maven unless an up-to-date zip is already there."""
    zip_path = cfg.resolved_plugin_zip()
    if cfg.plugin_zip is not None:
        if not zip_path.is_file():
            raise LocalNodeError(f"plugin zip {zip_path} does not exist")
        return zip_path
    if not _plugin_is_stale(zip_path):
        return zip_path
    java_home = cfg.require_java_home()
    _progress(f"building the {PLUGIN_NAME} plugin with Maven ...")
    started = time.monotonic()
    env = dict(os.environ, JAVA_HOME=str(java_home))
    _run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(PLUGIN_PROJECT / "pom.xml"),
            "package",
            f"-Des.version={cfg.version}",
            f"-Dlucene.version={_lucene_version(cfg)}",
        ],
        env=env,
    )
    if not zip_path.is_file():
        raise LocalNodeError(f"Maven build did not produce {zip_path}")
    _progress(f"plugin built in {time.monotonic() - started:.1f}s")
    return zip_path


def _es_env(cfg: NodeConfig) -> dict[str, str]:
    env = dict(os.environ)
    env["ES_JAVA_HOME"] = str(cfg.require_java_home())
    env.pop("JAVA_HOME", None)  # ES warns and ignores it; ES_JAVA_HOME is what counts
    env["ES_JAVA_OPTS"] = " ".join([f"-Xms{cfg.heap}", f"-Xmx{cfg.heap}", *cfg.java_opts])
    if cfg.own_config:
        env["ES_PATH_CONF"] = str(cfg.config_dir)
    return env


def _install_plugin(cfg: NodeConfig, zip_path: Path) -> None:
    """Install (or replace, when the zip changed) the analysis plugin with ES's own tool."""
    digest = _sha256(zip_path)
    marker = cfg.es_home / _PLUGIN_MARKER
    plugin_dir = cfg.es_home / "plugins" / PLUGIN_NAME
    if plugin_dir.is_dir() and marker.is_file() and marker.read_text().strip() == digest:
        return
    tool = str(cfg.es_home / "bin" / "elasticsearch-plugin")
    env = _es_env(cfg)
    if plugin_dir.exists():
        _progress(f"replacing the {PLUGIN_NAME} plugin (zip changed; restart a running node)")
        _run([tool, "remove", "--purge", PLUGIN_NAME], env=env)
    _progress(f"installing the {PLUGIN_NAME} plugin ...")
    _run([tool, "install", "--batch", zip_path.resolve().as_uri()], env=env)
    marker.write_text(digest + "\n")


def _ensure_run_user(cfg: NodeConfig) -> None:
    """Create the unprivileged system user the node runs as when we are root."""
    try:
        pwd.getpwnam(cfg.run_user)
        return
    except KeyError:
        pass
    _progress(f"creating system user {cfg.run_user} (Elasticsearch refuses to run as root)")
    _run(
        [
            _sbin("useradd"),
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            str(cfg.home_root),
            "--shell",
            "/usr/sbin/nologin",
            cfg.run_user,
        ]
    )


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.lchown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), uid, gid)


def _prepare_dirs(cfg: NodeConfig) -> None:
    """Make the writable directories; when root, hand them and the ES home to the run user."""
    for directory in (cfg.data_dir, cfg.logs_dir, cfg.pid_file.parent):
        directory.mkdir(parents=True, exist_ok=True)
    if not cfg.as_root:
        return
    _ensure_run_user(cfg)
    entry = pwd.getpwnam(cfg.run_user)
    cfg.home_root.chmod(0o755)
    os.lchown(cfg.home_root, entry.pw_uid, entry.pw_gid)
    for tree in (cfg.es_home, cfg.home_root / "data", cfg.logs_dir, cfg.pid_file.parent):
        _chown_tree(tree, entry.pw_uid, entry.pw_gid)


def _write_own_config(cfg: NodeConfig) -> None:
    """A fresh per-node copy of ES home's config with its extra files, keystore password and file users.

    Rebuilt at each start so an old keystore never outlives the test that chose its password, and the
    shared install's keystore (used by the node on 9200) is never touched.
    """
    if not cfg.own_config:
        return
    if cfg.config_dir.exists():
        shutil.rmtree(cfg.config_dir)
    cfg.config_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(cfg.es_home / "config", cfg.config_dir)
    cfg.config_dir.chmod(0o750)
    for name, text in cfg.config_files:
        target = (cfg.config_dir / name).resolve()
        if cfg.config_dir.resolve() not in target.parents:
            raise LocalNodeError(f"config file {name!r} would land outside {cfg.config_dir}")
        target.write_text(text, encoding="utf-8")
    if cfg.as_root:
        entry = pwd.getpwnam(cfg.run_user)
        _chown_tree(cfg.config_dir.parent, entry.pw_uid, entry.pw_gid)

    def tool(name: str, *args: str, stdin_text: str) -> None:
        cmd = [str(cfg.es_home / "bin" / name), *args]
        if cfg.as_root:  # as the run user, so what the tool writes stays readable by the node
            cmd = [_sbin("runuser"), "-u", cfg.run_user, "--", *cmd]
        _run(cmd, env=_es_env(cfg), cwd=cfg.es_home, stdin_text=stdin_text)

    if cfg.bootstrap_password is not None:
        tool(
            "elasticsearch-keystore",
            "add",
            "--force",
            "--stdin",
            "bootstrap.password",
            stdin_text=cfg.bootstrap_password + "\n",
        )
    for user, password, roles in cfg.file_users:
        # No -p: the tool then prompts (new + retype) and reads stdin, keeping the password out of `ps`.
        tool(
            "elasticsearch-users",
            "useradd",
            user,
            *(["-r", ",".join(roles)] if roles else []),
            stdin_text=f"{password}\n{password}\n",
        )


def ensure_installed(cfg: NodeConfig | None = None) -> Path:
    """Download, unpack, add the analysis plugin and fix ownership; cheap when already done.

    Returns the Elasticsearch home directory.
    """
    cfg = cfg or NodeConfig()
    cfg.require_java_home()
    cfg.home_root.mkdir(parents=True, exist_ok=True)
    _download(cfg)
    _unzip(cfg)
    _install_plugin(cfg, _build_plugin(cfg))
    _prepare_dirs(cfg)
    return cfg.es_home


# --------------------------------------------------------------------------- HTTP


def _http_json(
    url: str, *, method: str = "GET", body: Any = None, timeout: float = 5.0, headers: Mapping[str, str] | None = None
) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode() or "null")


def _answers(cfg: NodeConfig) -> bool:
    """Whether anything speaks HTTP on the port (an error status counts: it answered).

    Note: ``GET /`` is not served by this distribution (its handler lives in the absent
    rest-root module), so neither it nor a client's ``info()`` can tell us the version.
    """
    try:
        with urllib.request.urlopen(cfg.url + "/_cluster/health", timeout=3.0):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def _port_taken(cfg: NodeConfig) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", cfg.http_port)) == 0


def _probe_analysis(cfg: NodeConfig) -> tuple[str, ...]:
    """Which required analysis names this node actually accepts (via ``_analyze``)."""
    found: list[str] = []
    for name in ANALYSIS_NAMES:
        body: dict[str, Any] = {"text": "Salamé"}
        if name in ANALYZER_NAMES:
            body["analyzer"] = name
        else:
            # `standard`, as _analyze's default (`keyword`) is an analysis-common tokenizer.
            body.update(tokenizer="standard", filter=[name])
        try:
            _http_json(cfg.url + "/_analyze", method="POST", body=body, headers=cfg.auth_header)
        except (urllib.error.URLError, OSError, ValueError):
            continue
        found.append(name)
    return tuple(found)


# --------------------------------------------------------------------------- processes


def _read_pid(cfg: NodeConfig) -> int | None:
    """The pid from our pid file, if that process is alive and is an Elasticsearch JVM."""
    try:
        pid = int(cfg.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return pid if b"org.elasticsearch" in cmdline else None  # guard against pid reuse


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:  # a zombie is as good as gone
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _log_tail(cfg: NodeConfig, lines: int = 60) -> str:
    """The last lines of the node's logs, for error messages that explain a failed start."""
    parts: list[str] = []
    for log in (cfg.logs_dir / f"{cfg.cluster_name}.log", cfg.logs_dir / f"{cfg.cluster_name}-launcher.log"):
        if log.is_file():
            text = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log} (last {len(text)} lines)\n" + "\n".join(text))
    return "\n".join(parts) or f"(no log files in {cfg.logs_dir})"


def _start_command(cfg: NodeConfig) -> list[str]:
    settings = {
        "cluster.name": cfg.cluster_name,
        "node.name": cfg.effective_node_name,
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": str(cfg.http_port),
        "path.data": str(cfg.data_dir),
        "path.logs": str(cfg.logs_dir),
        "xpack.security.enabled": "false",
        "xpack.ml.enabled": "false",
        # Test node: never block writes because the CI disk is fuller than 85-95 %.
        "cluster.routing.allocation.disk.threshold_enabled": "false",
    }
    if cfg.transport_port is not None:
        settings["transport.port"] = str(cfg.transport_port)
    if cfg.seed_hosts:
        del settings["discovery.type"]  # single-node forbids seed hosts and initial masters
        settings["discovery.seed_hosts"] = ",".join(cfg.seed_hosts)
        if cfg.initial_master_nodes:
            settings["cluster.initial_master_nodes"] = ",".join(cfg.initial_master_nodes)
    if cfg.security:
        # Loopback only: no TLS, so clients and nodes need no certificates (bootstrap checks allow it here).
        settings["xpack.security.enabled"] = "true"
        settings["xpack.security.http.ssl.enabled"] = "false"
        settings["xpack.security.transport.ssl.enabled"] = "false"
    settings.update(dict(cfg.extra_settings))
    cmd = [str(cfg.es_home / "bin" / "elasticsearch"), "-d", "-p", str(cfg.pid_file)]
    cmd += [f"-E{key}={value}" for key, value in settings.items()]
    if cfg.as_root:
        # runuser keeps the environment we pass (ES_JAVA_HOME, ES_JAVA_OPTS).
        cmd = [_sbin("runuser"), "-u", cfg.run_user, "--", *cmd]
    return cmd


def status(cfg: NodeConfig | None = None) -> NodeStatus:
    """Describe whatever answers on the port: version, health, plugins, analysis coverage."""
    cfg = cfg or NodeConfig()
    pid = _read_pid(cfg)
    if not _answers(cfg):
        return NodeStatus(running=False, url=cfg.url, pid=pid, managed=pid is not None)
    version: str | None = None
    cluster: str | None = None
    health: str | None = None
    plugins: set[str] = set()
    try:
        info = _http_json(cfg.url + "/_nodes/_local/plugins", headers=cfg.auth_header)
        cluster = info.get("cluster_name")
        for node in info.get("nodes", {}).values():
            version = node.get("version")
            plugins.update(str(p.get("name")) for p in node.get("plugins", []))
        health = _http_json(cfg.url + "/_cluster/health", headers=cfg.auth_header).get("status")
    except (urllib.error.URLError, OSError, ValueError, AttributeError):
        pass  # something answers but is not (yet) a usable Elasticsearch: report what we have
    return NodeStatus(
        running=True,
        url=cfg.url,
        pid=pid,
        version=str(version) if version else None,
        cluster_name=str(cluster) if cluster else None,
        health=str(health) if health else None,
        plugins=tuple(sorted(plugins)),
        analysis=_probe_analysis(cfg),
        managed=pid is not None,
    )


def _wait_for_health(cfg: NodeConfig, deadline: float) -> None:
    _progress(f"waiting for {cfg.url} to turn yellow (up to {cfg.start_timeout:.0f}s) ...")
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        try:
            health = _http_json(
                cfg.url + "/_cluster/health?wait_for_status=yellow&timeout=5s", timeout=10.0, headers=cfg.auth_header
            )
            if isinstance(health, dict) and health.get("status") in ("yellow", "green"):
                return
            last_error = f"health {health}"
        except urllib.error.HTTPError as exc:  # 408 while the wait_for_status times out
            last_error = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last_error = str(exc)
        if cfg.pid_file.is_file() and _read_pid(cfg) is None:
            raise LocalNodeError(f"Elasticsearch exited during startup\n{_log_tail(cfg)}")
        time.sleep(1.0)
    raise LocalNodeError(
        f"Elasticsearch at {cfg.url} not yellow after {cfg.start_timeout:.0f}s ({last_error})\n{_log_tail(cfg)}"
    )


def start(cfg: NodeConfig | None = None) -> NodeStatus:
    """Start the node detached and wait until it serves requests; no-op if one already answers."""
    cfg = cfg or NodeConfig()
    if _answers(cfg):
        current = status(cfg)
        owner = "ours" if current.managed else "not started by esnode"
        _progress(f"something already answers on {cfg.url} ({owner}, version {current.version})")
        return current
    if _port_taken(cfg):
        raise LocalNodeError(f"port {cfg.http_port} is taken by something that is not HTTP")
    started = time.monotonic()
    deadline = started + cfg.start_timeout
    if _read_pid(cfg) is not None:  # ours, alive, but not answering yet: do not start twice
        _progress(f"our node (pid {_read_pid(cfg)}) is still starting")
        _wait_for_health(cfg, deadline)
        return status(cfg)
    ensure_installed(cfg)
    _write_own_config(cfg)
    _progress(f"starting Elasticsearch {cfg.version} on {cfg.url} (heap {cfg.heap}; ~10-30s) ...")
    cfg.pid_file.unlink(missing_ok=True)
    launcher_log = cfg.logs_dir / f"{cfg.cluster_name}-launcher.log"
    try:
        with launcher_log.open("wb") as out:
            # -d: the launcher forks the server, waits until it has started, and exits.
            proc = subprocess.run(
                _start_command(cfg),
                env=_es_env(cfg),
                cwd=cfg.es_home,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=cfg.start_timeout,
                check=False,
            )
    except subprocess.TimeoutExpired as exc:
        raise LocalNodeError(
            f"bin/elasticsearch -d did not return within {cfg.start_timeout:.0f}s\n{_log_tail(cfg)}"
        ) from exc
    if proc.returncode != 0:
        raise LocalNodeError(f"bin/elasticsearch -d exited with {proc.returncode}\n{_log_tail(cfg)}")
    _wait_for_health(cfg, deadline)
    result = status(cfg)
    _progress(
        f"Elasticsearch {result.version} is {result.health} at {cfg.url} "
        f"(pid {result.pid}, {time.monotonic() - started:.1f}s)"
    )
    if result.missing_analysis:
        _progress(f"warning: node lacks analysis components {', '.join(result.missing_analysis)}")
    return result


def stop(cfg: NodeConfig | None = None) -> None:
    """Stop the node we started: SIGTERM, then SIGKILL after ``stop_timeout`` seconds."""
    cfg = cfg or NodeConfig()
    pid = _read_pid(cfg)
    if pid is None:
        if _answers(cfg):
            _progress(f"a node answers on {cfg.url} but was not started by esnode; leaving it")
        else:
            _progress("no local Elasticsearch node is running")
        cfg.pid_file.unlink(missing_ok=True)
        return
    _progress(f"stopping Elasticsearch (pid {pid}) ...")
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + cfg.stop_timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    if _alive(pid):
        _progress(f"still running after {cfg.stop_timeout:.0f}s; sending SIGKILL")
        os.kill(pid, signal.SIGKILL)
        kill_deadline = time.monotonic() + 10.0
        while _alive(pid) and time.monotonic() < kill_deadline:
            time.sleep(0.2)
    cfg.pid_file.unlink(missing_ok=True)
    _progress("stopped")


def kill(cfg: NodeConfig | None = None) -> int:
    """SIGKILL the node we started, as a crashed machine would go (no shutdown hooks); returns its pid.

    For failure tests. Waits until the process is gone; ``stop`` afterwards is a harmless no-op.
    """
    cfg = cfg or NodeConfig()
    pid = _read_pid(cfg)
    if pid is None:
        raise LocalNodeError(f"no node started by esnode is running for {cfg.url}")
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10.0
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    cfg.pid_file.unlink(missing_ok=True)
    return pid
