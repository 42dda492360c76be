"""A local HTTP server on 127.0.0.1 for the download tests (no internet needed)."""

import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest


class _Handler(SimpleHTTPRequestHandler):
    """Serves a directory tree; records each request path."""

    requests = None  # set per server

    def do_GET(self):
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, format, *args):
        pass  # keep test output clean


@pytest.fixture(scope="module")
def serve_directory():
    """``serve(root)`` starts a server for ``root``; it stops with the module.

    Returns an object with ``url(sub)`` (``http://127.0.0.1:<port>/<sub>/``)
    and ``requests`` (paths asked for, in order).
    """
    servers = []

    def serve(root):
        requests = []
        handler = type("Handler", (_Handler,), {"requests": requests})
        httpd = ThreadingHTTPServer(
            ("127.0.0.1", 0), lambda *args: handler(*args, directory=str(root))
        )
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        servers.append((httpd, thread))
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        return SimpleNamespace(url=lambda sub: f"{base}/{sub}/", requests=requests)

    yield serve
    for httpd, thread in servers:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def no_proxy_for_localhost(monkeypatch):
    """Never send 127.0.0.1 requests to a proxy."""
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(var, "*")
