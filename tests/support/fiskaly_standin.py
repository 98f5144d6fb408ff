"""A STAND-IN for fiskaly SIGN DE v2, the cloud TSE, for tests only — not fiskaly itself.

fiskaly is a cloud service that cannot run here (and a test must not depend on the internet),
so this serves the part of its documented API the till uses, on 127.0.0.1 and a free port, in
a thread: ``POST /api/v2/auth``, the TSS and client setup, transactions
(``PUT /tss/{id}/tx/{tx_id}?tx_revision=N``, ``GET /tss/{id}/tx/{tx_id_or_number}``) and the
TAR export (``PUT/GET /tss/{id}/export/{export_id}``, ``…/file``). Field names and states are
those of fiskaly's OpenAPI description (v2.2.2); what fiskaly does inside is imitated only as
far as the till can tell: it signs real TR-03151 log messages with a real ECDSA key
(``cryptography``), so every signature it hands out verifies, and it is idempotent per
transaction revision, as fiskaly documents.

Faults a test can ask for (the reason it exists):

- :meth:`down` / :meth:`up`: nothing listens on the port (a dead zone, fiskaly offline).
- :meth:`fail_next`: the next requests get a status such as 500 or 429 (with Retry-After).
- :meth:`hold_answers`: requests are carried out, but their answers are held back until
  :meth:`release` — the client times out although fiskaly did the work (a lost answer).
- :meth:`expire_tokens`: every bearer token issued so far is rejected with 401.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.fiskaly_answers import ALGORITHM, error, public, tar_of, transaction_answer
from truck.fiscal.fiskaly_schema import process_data_of_schema
from truck.fiscal.log_message import TransactionLog, encode_log_message, signed_data
from truck.fiscal.process_data import PROCESS_TYPE
from truck.fiscal.signing import public_key_bytes, serial_number_of, sign_plain

API_KEY = "test_standin_key"
API_SECRET = "test_standin_secret"


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Transaction:
    tx_id: str
    number: int
    client_id: str
    client_serial: str
    time_start: int
    state: str = "ACTIVE"
    revision: int = 1
    answers: dict[int, tuple[str, dict[str, Any]]] = field(
        default_factory=dict
    )  # rev → (body, answer)


class FiskalyStandIn:
    """The stand-in's state and faults; start it as a context manager."""

    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request that came in
        self._tokens: set[str] = set()
        self._faults: list[tuple[int, float | None]] = []
        self._holding = 0
        self._held = threading.Event()
        self._released = threading.Event()
        self.tss: dict[str, dict[str, Any]] = {}
        self.clients: dict[str, dict[str, Any]] = {}  # client_id → {serial_number, tss_id}
        self.transactions: dict[str, Transaction] = {}
        self.log_messages: list[bytes] = []
        self.exports: dict[str, dict[str, Any]] = {}
        self.export_polls = 2  # how often an export is asked about before it is COMPLETED
        self._keys: dict[str, ec.EllipticCurvePrivateKey] = {}
        self._admin: set[str] = set()

    # --- running ------------------------------------------------------------------------------

    def __enter__(self) -> FiskalyStandIn:
        self.up()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.down()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v2"

    def up(self) -> None:
        """Listen (again, on the same port once it had one)."""
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_class())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fiskaly-standin"
        )
        self._thread.start()

    def down(self) -> None:
        """Stop listening: connections are refused, as when fiskaly is out of reach."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join()
            self._server = None

    # --- faults -------------------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, *, retry_after: float | None = None) -> None:
        with self._lock:
            self._faults.extend([(status, retry_after)] * times)

    def hold_answers(self, times: int = 1) -> None:
        """Carry out the next ``times`` requests but keep their answers until :meth:`release`."""
        with self._lock:
            self._holding += times
            self._released.clear()

    def wait_until_held(self, timeout: float = 10.0) -> bool:
        return self._held.wait(timeout)

    def release(self) -> None:
        self._released.set()

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def count(self, method: str, pattern: str) -> int:
        return sum(1 for m, path in self.requests if m == method and re.fullmatch(pattern, path))

    # --- a ready TSS, for tests that are not about setting one up ------------------------------

    def ready_tss(self, client_serial: str) -> tuple[str, str]:
        """An INITIALIZED TSS with the till registered as a client: (tss_id, client_id)."""
        tss_id, client_id = str(uuid.uuid4()), str(uuid.uuid4())
        with self._lock:
            self._create_tss(tss_id)
            self.tss[tss_id]["state"] = "INITIALIZED"
            self.clients[client_id] = {"serial_number": client_serial, "tss_id": tss_id}
        return tss_id, client_id

    def public_key(self, tss_id: str) -> bytes:
        return public_key_bytes(self._keys[tss_id])

    # --- the API ------------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: tests read stand-in.requests instead

            def do_GET(self) -> None:
                standin._serve(self, "GET")

            def do_PUT(self) -> None:
                standin._serve(self, "PUT")

            def do_POST(self) -> None:
                standin._serve(self, "POST")

            def do_PATCH(self) -> None:
                standin._serve(self, "PATCH")

        return Handler

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        path = url.path.removeprefix("/api/v2")
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        with self._lock:
            self.requests.append((method, path))
            fault = self._faults.pop(0) if self._faults else None
            hold = self._holding > 0
            if hold:
                self._holding -= 1
        if fault is not None:
            status, retry_after = fault
            headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
            self._answer(handler, status, error(status, "E_STANDIN_FAULT", "simulated"), headers)
            return
        try:
            body = json.loads(raw) if raw else {}
            if path == "/auth" and method == "POST":
                status, answer = 200, self._auth(body)
            else:
                self._check_token(handler.headers.get("Authorization", ""))
                with self._lock:
                    status, answer = 200, self._route(method, path, query, body)
        except Refused as refusal:
            status, answer = refusal.status, error(refusal.status, refusal.code, refusal.message)
        if hold:
            self._held.set()
            self._released.wait()
        # OSError: the client gave up waiting — exactly the lost answer this simulates.
        with contextlib.suppress(OSError):
            self._answer(handler, status, answer)

    @staticmethod
    def _answer(
        handler: BaseHTTPRequestHandler,
        status: int,
        answer: dict[str, Any] | bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        handler.send_response(status)
        content_type = "application/x-tar" if isinstance(answer, bytes) else "application/json"
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _auth(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("api_key") != API_KEY or body.get("api_secret") != API_SECRET:
            raise Refused(401, "E_UNAUTHORIZED", "API key or secret wrong")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
        now = int(self._clock().timestamp())
        return {
            "access_token": token,
            "access_token_expires_in": 86400,
            "access_token_expires_at": now + 86400,
            "refresh_token": secrets.token_urlsafe(24),
            "refresh_token_expires_in": 172800,
            "refresh_token_expires_at": now + 172800,
        }

    def _check_token(self, header: str) -> None:
        with self._lock:
            if header.removeprefix("Bearer ") not in self._tokens:
                raise Refused(401, "E_UNAUTHORIZED", "token expired or unknown")

    def _route(
        self, method: str, path: str, query: dict[str, str], body: dict[str, Any]
    ) -> dict[str, Any] | bytes:
        parts = path.strip("/").split("/")
        if parts[0] != "tss" or len(parts) < 2:
            raise Refused(404, "E_NOT_FOUND", f"no route {path}")
        tss_id, rest = parts[1], parts[2:]
        if not rest:
            return self._tss_route(method, tss_id, body)
        if tss_id not in self.tss:
            raise Refused(404, "E_TSS_NOT_FOUND", f"TSS {tss_id} not found")
        if rest == ["admin"] and method == "PATCH":
            return self._change_pin(tss_id, body)
        if rest == ["admin", "auth"] and method == "POST":
            if body.get("admin_pin") != self.tss[tss_id].get("_pin"):
                raise Refused(401, "E_ADMIN_PIN", "wrong admin PIN")
            self._admin.add(tss_id)
            return {}
        if rest == ["admin", "logout"] and method == "POST":
            self._admin.discard(tss_id)
            return {}
        if rest[0] == "client" and len(rest) == 2 and method == "PUT":
            return self._register(tss_id, rest[1], body)
        if rest[0] == "tx" and len(rest) == 2:
            if method == "PUT":
                return self._put_tx(tss_id, rest[1], int(query.get("tx_revision", 1)), body)
            if method == "GET":
                return self._tx_answer(self._find_tx(tss_id, rest[1]))
        if rest[0] == "export" and len(rest) >= 2:
            return self._export(method, tss_id, rest[1], rest[2:])
        raise Refused(404, "E_NOT_FOUND", f"no route {method} {path}")

    # --- TSS and clients ----------------------------------------------------------------------

    def _create_tss(self, tss_id: str) -> dict[str, Any]:
        key = ec.generate_private_key(ec.SECP256R1())
        self._keys[tss_id] = key
        public = public_key_bytes(key)
        self.tss[tss_id] = {
            "_id": tss_id,
            "_type": "TSS",
            "_env": "TEST",
            "state": "CREATED",
            "serial_number": serial_number_of(public),
            "public_key": base64.b64encode(public).decode(),
            "signature_algorithm": ALGORITHM,
            "signature_timestamp_format": "unixTime",
            "transaction_data_encoding": "UTF-8",
            "signature_counter": 0,
            "transaction_counter": 0,
            "_puk": secrets.token_hex(5),
        }
        return self.tss[tss_id]

    def _tss_route(self, method: str, tss_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "PUT":
            if tss_id in self.tss:
                return public(self.tss[tss_id])
            created = self._create_tss(tss_id)
            return {**public(created), "admin_puk": created["_puk"]}
        if tss_id not in self.tss:
            raise Refused(404, "E_TSS_NOT_FOUND", f"TSS {tss_id} not found")
        tss = self.tss[tss_id]
        if method == "PATCH":
            wanted, now = body.get("state"), tss["state"]
            allowed = {
                ("CREATED", "UNINITIALIZED"),
                ("UNINITIALIZED", "INITIALIZED"),
                ("UNINITIALIZED", "DISABLED"),
                ("INITIALIZED", "DISABLED"),
            }
            if (now, wanted) not in allowed:
                raise Refused(400, "E_TSS_STATE", f"{now} cannot become {wanted}")
            if wanted == "INITIALIZED" and tss_id not in self._admin:
                raise Refused(401, "E_ADMIN_NOT_AUTHENTICATED", "admin login needed")
            tss["state"] = wanted
        return public(tss)

    def _change_pin(self, tss_id: str, body: dict[str, Any]) -> dict[str, Any]:
        tss = self.tss[tss_id]
        if body.get("admin_puk") != tss["_puk"]:
            raise Refused(403, "E_ADMIN_PUK", "wrong PUK")
        tss["_pin"] = body.get("new_admin_pin")
        return {}

    def _register(self, tss_id: str, client_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.tss[tss_id]["state"] != "INITIALIZED" or tss_id not in self._admin:
            raise Refused(401, "E_ADMIN_NOT_AUTHENTICATED", "admin login on an initialized TSS")
        self.clients[client_id] = {"serial_number": body["serial_number"], "tss_id": tss_id}
        return {"_id": client_id, "serial_number": body["serial_number"], "state": "REGISTERED"}

    # --- transactions -------------------------------------------------------------------------

    def _put_tx(
        self, tss_id: str, tx_id: str, revision: int, body: dict[str, Any]
    ) -> dict[str, Any]:
        tss = self.tss[tss_id]
        if tss["state"] != "INITIALIZED":
            raise Refused(400, "E_TSS_NOT_INITIALIZED", f"TSS is {tss['state']}")
        client = self.clients.get(str(body.get("client_id")))
        if client is None or client["tss_id"] != tss_id:
            raise Refused(400, "E_CLIENT_NOT_FOUND", "client not registered at this TSS")
        wanted = body.get("state")
        canonical = json.dumps(body, sort_keys=True)
        tx = self.transactions.get(tx_id)
        if tx is not None and revision in tx.answers:
            sent, answer = tx.answers[revision]
            if sent != canonical:
                raise Refused(409, "E_CONFLICT", f"revision {revision} was sent with other data")
            return answer  # idempotent: the same request gets the same answer
        if tx is None:
            if revision != 1 or wanted != "ACTIVE":
                raise Refused(400, "E_TX_NOT_FOUND", "a transaction starts ACTIVE at revision 1")
            tss["transaction_counter"] += 1
            tx = Transaction(
                tx_id, tss["transaction_counter"], body["client_id"], client["serial_number"], 0
            )
            signed = self._sign(tss_id, tx, "StartTransaction", "", "")
            tx.time_start = signed[1]
            self.transactions[tx_id] = tx
            answer = self._tx_answer(tx, "StartTransaction", signed)
        else:
            if revision != tx.revision + 1:
                raise Refused(409, "E_TX_REVISION", f"expected revision {tx.revision + 1}")
            if tx.state != "ACTIVE":
                raise Refused(400, "E_TX_ILLEGAL_STATE", f"transaction is {tx.state}")
            schema = body.get("schema")
            data = process_data_of_schema(schema) if schema else ""
            if wanted == "ACTIVE":
                operation = "UpdateTransaction"
            elif wanted in ("FINISHED", "CANCELLED"):
                operation = "FinishTransaction"
                if wanted == "CANCELLED":
                    data = "AVBelegabbruch^0.00_0.00_0.00_0.00_0.00^"
            else:
                raise Refused(400, "E_TX_ILLEGAL_STATE", f"unknown state {wanted}")
            signed = self._sign(tss_id, tx, operation, PROCESS_TYPE, data)
            tx.revision, tx.state = revision, wanted
            answer = self._tx_answer(tx, operation, signed, data)
        tx.answers[revision] = (canonical, answer)
        return answer

    def _sign(
        self, tss_id: str, tx: Transaction, operation: str, process_type: str, data: str
    ) -> tuple[int, int, str]:
        """Sign the next log message: (signature counter, unix log time, signature base64)."""
        tss = self.tss[tss_id]
        tss["signature_counter"] += 1
        log = TransactionLog(
            operation_type=operation,
            client_id=tx.client_serial,
            process_type=process_type,
            process_data=data,
            transaction_number=tx.number,
            serial_number=tss["serial_number"],
            signature_algorithm=ALGORITHM,
            signature_counter=tss["signature_counter"],
            log_time=self._clock().replace(microsecond=0),
        )
        signature = sign_plain(self._keys[tss_id], signed_data(log))
        self.log_messages.append(encode_log_message(log, signature))
        encoded = base64.b64encode(signature).decode()
        return log.signature_counter, int(log.log_time.timestamp()), encoded

    def _tx_answer(
        self,
        tx: Transaction,
        operation: str | None = None,
        signed: tuple[int, int, str] | None = None,
        data: str = "",
    ) -> dict[str, Any]:
        if operation is None or signed is None:  # a GET: the answer to the latest revision
            return tx.answers[tx.revision][1]
        tss = self.tss[self.clients[tx.client_id]["tss_id"]]
        return transaction_answer(tx, tss, operation, signed, data)

    def _find_tx(self, tss_id: str, tx_id_or_number: str) -> Transaction:
        tx = self.transactions.get(tx_id_or_number)
        if tx is None and tx_id_or_number.isdigit():
            tx = next(
                (t for t in self.transactions.values() if t.number == int(tx_id_or_number)), None
            )
        if tx is None or self.clients[tx.client_id]["tss_id"] != tss_id:
            raise Refused(404, "E_TX_NOT_FOUND", f"transaction {tx_id_or_number} not found")
        return tx

    # --- the TAR export -----------------------------------------------------------------------

    def _export(
        self, method: str, tss_id: str, export_id: str, rest: list[str]
    ) -> dict[str, Any] | bytes:
        if method == "PUT" and not rest:
            state = "PENDING" if self.export_polls else "COMPLETED"
            self.exports[export_id] = {"_id": export_id, "tss_id": tss_id, "state": state}
            self.exports[export_id]["_polls"] = self.export_polls
            return public(self.exports[export_id])
        export = self.exports.get(export_id)
        if export is None:
            raise Refused(404, "E_EXPORT_NOT_FOUND", f"export {export_id} not found")
        if method == "GET" and not rest:
            # Takes a while, as at fiskaly: PENDING, WORKING, then COMPLETED.
            export["_polls"] -= 1
            export["state"] = "WORKING" if export["_polls"] > 0 else "COMPLETED"
            return public(export)
        if method == "GET" and rest == ["file"]:
            if export["state"] != "COMPLETED":
                raise Refused(400, "E_EXPORT_NOT_COMPLETED", "export not completed yet")
            return tar_of(self.tss[tss_id]["serial_number"], self.log_messages)
        raise Refused(404, "E_NOT_FOUND", "no such export route")
