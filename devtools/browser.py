"""Headless Chromium driven through the DevTools protocol: a person's clicks, for the browser tests of the UIs.

``--dump-dom`` and ``--screenshot`` only look at a page; a test that fills the Airflow trigger form and presses
its button needs to act on the page, so this speaks the Chrome DevTools Protocol (one JSON message per call over
a WebSocket, with the ``websockets`` client Airflow already installs) to one tab: navigate, run JavaScript in the
page, wait for something to appear, take a screenshot. No Selenium or Playwright: Chromium is the only browser
here and the protocol is all they use underneath.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from devtools.airflow_stack import free_port


class BrowserError(AssertionError):
    """Chromium did not start, or the page never showed what a test waited for (the message says what)."""


def find_chromium() -> str | None:
    """The Chromium (or Chrome) on PATH."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


class Browser:
    """One headless Chromium with one tab; use as a context manager (the process group is killed on exit)."""

    def __init__(self, width: int = 1400, height: int = 1000, timeout: float = 60.0) -> None:
        chromium = find_chromium()
        if chromium is None:
            raise BrowserError("no Chromium on PATH: `make sysdeps-test` installs it (or apt-get install chromium)")
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._profile = Path(tempfile.mkdtemp(prefix="nf-chromium-"))
        port = free_port(9300 + os.getpid() % 500)
        self._proc = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={self._profile}",
                f"--window-size={width},{height}",
                f"--remote-debugging-port={port}",
                "--remote-allow-origins=*",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._ws = self._connect(f"http://127.0.0.1:{port}")
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def _connect(self, endpoint: str) -> Any:
        from websockets.sync.client import connect

        deadline = time.monotonic() + 30
        while True:
            if self._proc.poll() is not None:
                raise BrowserError(f"Chromium exited with {self._proc.returncode}")
            try:
                with urllib.request.urlopen(f"{endpoint}/json/list", timeout=2) as response:
                    targets = json.loads(response.read())
                page = next(t for t in targets if t.get("type") == "page")
                return connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
            except (OSError, StopIteration, ValueError):
                if time.monotonic() > deadline:
                    raise BrowserError(f"Chromium's DevTools endpoint {endpoint} never answered") from None
                time.sleep(0.3)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._ws.close()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=10)
        shutil.rmtree(self._profile, ignore_errors=True)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """One protocol command and its result (events that arrive meanwhile are dropped)."""
        message_id = next(self._ids)
        self._ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while True:
            reply = json.loads(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"JavaScript failed: {result['exceptionDetails'].get('text')} in {expression[:200]}")
        return result.get("result", {}).get("value")

    def goto(self, url: str) -> None:
        """Open ``url`` and wait for its document to load (a single-page app renders after that: use ``wait``)."""
        self.call("Page.navigate", url=url)
        self.wait(f"{url} to load", "document.readyState === 'complete'")

    def wait(self, what: str, expression: str, timeout: float | None = None) -> Any:
        """Poll a JavaScript expression until it is truthy; its value (a DOM node counts as ``True``)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        probe = f"(() => {{ const v = ({expression}); return v instanceof Node ? true : v; }})()"
        while True:
            value = self.evaluate(probe)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {what}; the page says: {self.text()[:1500]!r}")
            time.sleep(0.5)

    def text(self) -> str:
        """The page's visible text."""
        return str(self.evaluate("document.body ? document.body.innerText : ''") or "")

    def screenshot(self, path: Path) -> Path:
        """A PNG of the viewport."""
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
