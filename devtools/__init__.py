"""A local Elasticsearch node for developers' machines and CI (``newsfacet es``): not part of the product."""

from devtools.esnode import (
    ANALYSIS_NAMES,
    NodeConfig,
    NodeStatus,
    detect_java_home,
    ensure_installed,
    kill,
    start,
    status,
    stop,
)

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
