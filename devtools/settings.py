"""The development node's own settings: the one place ``devtools`` reads the environment.

The product (``etl``) never starts Elasticsearch; this launcher does, for machines without Docker. Its variables:

- ``NEWSFACET_ES_PORT``: HTTP port of the node (default 9200).
- ``NEWSFACET_ES_VERSION``: version of the Maven Central ``integ-test-zip`` distribution (default 9.5.2).
- ``NEWSFACET_ES_HEAP``: the node's heap (default 512m).
- ``NEWSFACET_ES_HOME``: where the node is installed and keeps its data (default ``/var/lib/newsfacet`` as root,
  ``~/.cache/newsfacet`` otherwise).
- ``ES_JAVA_HOME``: the JDK to run it on (default: the newest JDK >= 21 under ``/usr/lib/jvm``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from devtools.esnode import NodeConfig


def node_config(environ: Mapping[str, str] | None = None) -> NodeConfig:
    """The node ``newsfacet es start|stop|status`` manages, as the environment configures it."""
    env = os.environ if environ is None else environ
    defaults = NodeConfig()
    return NodeConfig(
        http_port=int(env.get("NEWSFACET_ES_PORT") or defaults.http_port),
        version=env.get("NEWSFACET_ES_VERSION") or defaults.version,
        heap=env.get("NEWSFACET_ES_HEAP") or defaults.heap,
        home_root=Path(env["NEWSFACET_ES_HOME"]) if env.get("NEWSFACET_ES_HOME") else defaults.home_root,
        java_home=Path(env["ES_JAVA_HOME"]) if env.get("ES_JAVA_HOME") else defaults.java_home,
    )
