"""What the service checks before a request reaches an endpoint (pure ASGI middleware).

* :class:`Guard` -- for every HTTP request and WebSocket:
  - the ``Host`` must be one the service answers to (when a list is configured: on loopback,
    only loopback names, which stops DNS rebinding);
  - a state-changing request (anything but GET, HEAD, OPTIONS) and every WebSocket must come
    from the service's own origin or one on the allow-list: a browser's ``Origin`` header is
    compared, and ``Sec-Fetch-Site: cross-site`` / ``same-site`` is refused unless its origin
    is allowed. Clients that send neither (curl, scripts) are not browsers and pass here:
    they still need a key to write;
  - a request body is counted while it streams: a declared ``Content-Length`` over the limit
    is refused at once, an undeclared one as soon as the running total passes it (413);
  - every response carries a strict Content-Security-Policy (scripts only from the service's
    own files, no inline script), ``X-Content-Type-Options: nosniff``,
    ``Referrer-Policy: no-referrer`` and ``X-Frame-Options: DENY``.
* :class:`RateLimiter` -- token buckets per key and per client address for writes (429 with
  ``Retry-After``).
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field

from starlette.exceptions import HTTPException

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

#: The dashboard's policy: everything from the service itself, nothing inline, no frames.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: /docs and /redoc: Swagger UI / ReDoc from the vendored files (:mod:`.docs`), started by an
#: inline script; they render the OpenAPI document, never record data. Nothing from elsewhere:
#: ReDoc's "by Redocly" logo (a CDN image) is blocked before it is requested.
CSP_DOCS = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
#: The 3-D view (/static/globe.html) and CesiumJS's own files (its workers get their policy from
#: their responses): CesiumJS's widgets bind their controls through Knockout, which compiles the
#: bindings with ``new Function``, and its decoders are WebAssembly, so this page alone allows
#: eval. It renders no record data as HTML (titles and names are set as text, the info box that
#: would render CZML descriptions is off) and loads nothing from elsewhere.
CSP_GLOBE = (
    "default-src 'self'; script-src 'self' blob: 'unsafe-eval' 'wasm-unsafe-eval'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self' "
    "data: blob:; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
GLOBE_PATHS = ("/static/globe.html",)
GLOBE_PREFIX = "/static/vendor/cesium/"


@dataclass
class Limits:
    """Limits of what a client can make the service do or allocate."""

    #: Largest request body, bytes.
    max_body: int = 1 << 20
    #: Sustained writes per second per key, and the burst allowed above it.
    key_rate: float = 5.0
    key_burst: int = 30
    #: Sustained writes per second per client address (before and after authentication).
    addr_rate: float = 10.0
    addr_burst: int = 60
    #: WebSocket clients of /ws/live at once.
    max_ws: int = 64
    #: Origins (``scheme://host[:port]``) allowed besides the service's own.
    allow_origins: tuple[str, ...] = ()
    #: ``Host`` header values the service answers to; empty = any.
    allowed_hosts: tuple[str, ...] = ()
    #: Simulated run events kept in the record (older ones are deleted); ``None`` = all.
    keep_simulated: int | None = 200
    extra: dict = field(default_factory=dict)


def loopback_hosts(port: int) -> tuple[str, ...]:
    """``Host`` values of a service bound to loopback on ``port``."""
    return tuple(h for name in LOOPBACK_HOSTS for h in (name, f"{name}:{port}"))


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _own_origin(scope, host: str) -> str:
    scheme = scope.get("scheme", "http")
    scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    return f"{scheme}://{host}"


async def _reply(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class Guard:
    """Host, origin and body-size checks and security headers around an ASGI app."""

    def __init__(self, app, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    def _refusal(self, scope, h: dict[str, str]) -> tuple[int, str] | None:
        host = h.get("host", "")
        allowed = self.limits.allowed_hosts
        if allowed and host.lower() not in allowed:
            return 421, f"this service does not answer to host {host[:80]!r}"
        method = scope.get("method", "GET")
        if scope["type"] == "http" and method in SAFE_METHODS:
            return None
        own = _own_origin(scope, host)
        ok = (own, *self.limits.allow_origins)
        origin = h.get("origin")
        if origin is not None and origin not in ok:
            return 403, f"cross-origin request from {origin[:80]!r} refused"
        site = h.get("sec-fetch-site")
        if site in ("cross-site", "same-site") and origin not in ok:
            return 403, f"cross-site request refused (Sec-Fetch-Site: {site})"
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        h = _headers(scope)
        refused = self._refusal(scope, h)
        if scope["type"] == "websocket":
            if refused is not None:
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008, "reason": refused[1]})
                return None
            return await self.app(scope, receive, send)
        if refused is not None:
            return await _reply(send, *refused)
        limit = self.limits.max_body
        declared = h.get("content-length")
        if declared is not None:
            try:
                n = int(declared)
            except ValueError:
                return await _reply(send, 400, "Content-Length is not a number")
            if n > limit:
                return await _reply(send, 413, f"the request body is larger than {limit} bytes")
        seen = 0

        async def counted():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return msg

        path = scope.get("path", "")
        if path in DOCS_PATHS or path.startswith("/docs/"):
            csp = CSP_DOCS
        elif path in GLOBE_PATHS or path.startswith(GLOBE_PREFIX):
            csp = CSP_GLOBE
        else:
            csp = CSP
        started = False

        async def secured(msg):
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                hs = [
                    (k, v)
                    for k, v in msg.get("headers", [])
                    if k.lower() not in (b"content-security-policy",)
                ]
                hs += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if msg["status"] == 413:  # stop the upload: close once refused
                    hs = [(k, v) for k, v in hs if k.lower() != b"connection"]
                    hs.append((b"connection", b"close"))
                msg = {**msg, "headers": hs}
            await send(msg)

        try:
            await self.app(scope, counted, secured)
        except BodyTooLarge as exc:
            if not started:
                await _reply(secured, 413, exc.detail)


class RateLimiter:
    """Token buckets: ``rate`` tokens per second up to ``burst``, one per write."""

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate, self.burst, self.max_keys = float(rate), float(burst), max_keys
        self._b: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, who: str, now: float | None = None) -> float:
        """Take one token for ``who``: 0 when allowed, else seconds until one is free."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, t = self._b.get(who, (self.burst, now))
            tokens = min(self.burst, tokens + (now - t) * self.rate)
            if tokens >= 1.0:
                if len(self._b) >= self.max_keys and who not in self._b:
                    self._prune(now)
                self._b[who] = (tokens - 1.0, now)
                return 0.0
            self._b[who] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [k for k, (tok, t) in self._b.items() if tok + (now - t) * self.rate >= self.burst]
        for k in full:
            del self._b[k]
        if len(self._b) >= self.max_keys:  # still full: forget the oldest half
            for k, _ in sorted(self._b.items(), key=lambda kv: kv[1][1])[: self.max_keys // 2]:
                del self._b[k]


def too_many(wait_s: float, who: str) -> HTTPException:
    """A 429 with ``Retry-After`` (whole seconds, at least 1)."""
    return HTTPException(
        429,
        f"too many writes from this {who}; retry in {max(1, math.ceil(wait_s))} s",
        headers={"Retry-After": str(max(1, math.ceil(wait_s)))},
    )
