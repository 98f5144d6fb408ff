"""Talking to fiskaly SIGN DE v2 over HTTPS: the bearer token, timeouts, retries with backoff.

Standard library only (``urllib``), so the till needs nothing beyond Python to reach its cloud
TSE. What can go wrong is sorted into two kinds, because the till treats them differently:

- :class:`~truck.fiscal.tse.TseUnavailable`: fiskaly could not be reached or did not answer in
  time, even after retrying (no network in a dead zone, a timeout, 5xx, 429). The till sells
  on in failure mode.
- :class:`FiskalyRefusal` (a :class:`~truck.fiscal.tse.TseError`): fiskaly answered and said no
  (a 4xx other than an expired token). The caller decides what a refusal means for the sale.

Retrying is safe because fiskaly's API is idempotent: a transaction PUT with the same revision
and body returns the same transaction instead of signing twice.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from truck.fiscal.tse import TseError, TseUnavailable

DEFAULT_BASE_URL = "https://kassensichv-middleware.fiskaly.com/api/v2"
TOKEN_MARGIN_SECONDS = 60.0  # renew this long before fiskaly says the token expires
# In a dead zone every attempt would wait for its timeouts and retries, for every sale: after
# fiskaly could not be reached, the client does not try again for a while, and then only once,
# briefly, until it answers again (the till sells in failure mode meanwhile).
QUIET_SECONDS = 30.0
PROBE_TIMEOUT_S = 2.0

# Status codes worth another try: fiskaly overloaded or briefly broken.
_TRANSIENT = frozenset({429, 500, 502, 503, 504})


class FiskalyRefusal(TseError):
    """fiskaly answered with a 4xx: the request was understood and refused."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        super().__init__(f"fiskaly lehnt ab ({status} {code}): {message}")


@dataclass(frozen=True)
class RetryPolicy:
    """How patiently to ask: a timeout per attempt and a doubling pause between attempts."""

    timeout_s: float = 5.0
    retries: int = 3  # further attempts after the first
    backoff_s: float = 0.5  # pause before the first retry; doubled each time
    max_backoff_s: float = 8.0  # also caps a server's Retry-After

    def pause(self, attempt: int, retry_after: float | None) -> float:
        pause = self.backoff_s * (2**attempt)
        if retry_after is not None:
            pause = max(pause, retry_after)
        return min(pause, self.max_backoff_s)


class FiskalyHttp:
    """A JSON client for one fiskaly API base URL with one API key."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        api_secret: str,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._api_secret = api_secret
        self.policy = policy or RetryPolicy()
        self.sleep = sleep  # also paces the polling of exports
        self._monotonic = monotonic
        self._token: str | None = None
        self._token_deadline = 0.0
        self._unreachable_until: float | None = None  # set while fiskaly cannot be reached

    # --- public -------------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, str | int] | None = None,
    ) -> dict[str, Any]:
        """Send a request with the bearer token and return fiskaly's JSON answer."""
        raw = self._authorised(method, path, body, query)
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError as exc:
            raise TseUnavailable(
                f"TSE nicht erreichbar: fiskaly antwortet unlesbar ({exc})"
            ) from exc
        if not isinstance(answer, dict):
            raise TseUnavailable("TSE nicht erreichbar: fiskaly antwortet unlesbar (kein Objekt)")
        return answer

    def download(self, path: str) -> bytes:
        """GET a file (e.g. a TAR export) with the bearer token; its bytes as they came."""
        return self._authorised("GET", path, None, None)

    # --- the token ----------------------------------------------------------------------------

    def _authorised(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None,
        query: Mapping[str, str | int] | None,
    ) -> bytes:
        for renewed in (False, True):
            token = self._current_token()
            try:
                return self._with_retries(method, path, body, query, token)
            except FiskalyRefusal as refusal:
                # A token can expire early (fiskaly restarted, clock skew): fetch a new one once.
                if refusal.status != 401 or renewed:
                    raise
                self._token = None
        raise AssertionError("unreachable")  # pragma: no cover

    def _current_token(self) -> str:
        if self._token is None or self._monotonic() >= self._token_deadline:
            started = self._monotonic()
            credentials = {"api_key": self._api_key, "api_secret": self._api_secret}
            try:
                raw = self._with_retries("POST", "/auth", credentials, None, None)
            except FiskalyRefusal as refusal:
                # Wrong or revoked credentials make the TSE unusable, not a single sale wrong.
                raise TseUnavailable(
                    f"TSE nicht erreichbar: fiskaly nimmt die Zugangsdaten nicht an ({refusal})"
                ) from refusal
            try:
                answer = json.loads(raw)
            except ValueError as exc:
                raise TseUnavailable("TSE nicht erreichbar: fiskaly antwortet unlesbar") from exc
            token = answer.get("access_token") if isinstance(answer, dict) else None
            if not isinstance(token, str) or not token:
                raise TseUnavailable("TSE nicht erreichbar: fiskaly gibt kein Zugangstoken")
            lifetime = float(answer.get("access_token_expires_in", 0) or 0)
            self._token = token
            self._token_deadline = started + max(lifetime - TOKEN_MARGIN_SECONDS, 0.0)
        return self._token

    # --- one request, retried ---------------------------------------------------------------

    def _with_retries(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None,
        query: Mapping[str, str | int] | None,
        token: str | None,
    ) -> bytes:
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        retries, timeout_s = self.policy.retries, self.policy.timeout_s
        if self._unreachable_until is not None:
            wait = self._unreachable_until - self._monotonic()
            if wait > 0:
                raise TseUnavailable(
                    "TSE nicht erreichbar: fiskaly war eben nicht erreichbar (Funkloch?), "
                    f"nächster Versuch in {int(wait) + 1} s"
                )
            retries, timeout_s = 0, min(timeout_s, PROBE_TIMEOUT_S)  # one quick look
        try:
            answer = self._attempts(method, url, data, headers, retries, timeout_s)
        except TseUnavailable:
            self._unreachable_until = self._monotonic() + QUIET_SECONDS
            raise
        self._unreachable_until = None
        return answer

    def _attempts(
        self,
        method: str,
        url: str,
        data: bytes | None,
        headers: dict[str, str],
        retries: int,
        timeout_s: float,
    ) -> bytes:
        last_problem = ""
        retry_after: float | None = None
        for attempt in range(retries + 1):
            if attempt:
                self.sleep(self.policy.pause(attempt - 1, retry_after))
                retry_after = None
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=timeout_s) as response:
                    return response.read()
            except urllib.error.HTTPError as error:
                status = error.code
                payload = _read_error(error)
                if status in _TRANSIENT:
                    retry_after = _retry_after(error.headers.get("Retry-After"))
                    last_problem = f"HTTP {status}"
                    continue
                raise FiskalyRefusal(
                    status,
                    str(payload.get("code") or payload.get("error") or "abgelehnt"),
                    str(payload.get("message") or error.reason),
                ) from error
            except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
                # Refused connection, no route (dead zone), DNS failure, timeout, broken answer.
                last_problem = _describe(error)
                continue
        raise TseUnavailable(
            f"TSE nicht erreichbar: fiskaly antwortet nicht ({last_problem}, "
            f"{retries + 1} Versuch{'e' if retries else ''})"
        )


def _read_error(error: urllib.error.HTTPError) -> dict[str, Any]:
    try:
        payload = json.loads(error.read() or b"{}")
    except (ValueError, OSError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _retry_after(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None  # an HTTP date: the doubling pause is good enough


def _describe(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    if isinstance(reason, BaseException):
        error = reason
    if isinstance(error, TimeoutError | socket.timeout):
        return "Zeitüberschreitung"
    if isinstance(error, ConnectionRefusedError):
        return "Verbindung abgelehnt"
    return f"{type(error).__name__}: {error}"
