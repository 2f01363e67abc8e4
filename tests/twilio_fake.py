"""A local stand-in for Twilio's Messages API, over HTTP, for the tests of text messages.

    fake = FakeTwilio().start()            # 127.0.0.1, a free port
    fake.url                               # TWILIO_API_URL for the portal's client
    fake.fail_next(2, status=500)          # the next two requests get a 500
    fake.fail_next(1, status=400, code=21211)   # a refusal with Twilio's error code
    fake.hold()  ...  fake.release()       # requests wait (a slow provider)
    fake.release(drop=True)                # ... and are then not delivered
    fake.messages                          # what it accepted: to, from, body, account
    fake.stop()

It answers POST /2010-04-01/Accounts/<sid>/Messages.json as Twilio does (201 and the
message's JSON; errors as {"code", "message", "status"}), and checks the Basic auth is the
account's. The real twilio package builds, sends and parses every request.
"""

import base64
import email.utils
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
FROM_NUMBER = "+15555550100"
PATH = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Messages\.json$")


@dataclass
class FakeMessage:
    sid: str
    account: str
    to: str
    sender: str
    body: str


class FakeTwilio:
    def __init__(self):
        self.messages: list[FakeMessage] = []
        self.requests = 0
        self._failures: list[tuple[int, int | None]] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._released.set()
        self._dropping = False
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    # --- Control --------------------------------------------------------------------

    def start(self) -> "FakeTwilio":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server name
                fake._handle(self)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, count: int, *, status: int, code: int | None = None) -> None:
        with self._lock:
            self._failures.extend([(status, code)] * count)

    def hold(self) -> None:
        self._released.clear()

    def release(self, *, drop: bool = False) -> None:
        """Let held requests go on; with ``drop``, they are answered 503 and not delivered
        (their sender was killed before the provider took the message)."""
        self._dropping = drop
        self._released.set()

    def wait_for(self, condition, timeout: float = 20) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return True
            time.sleep(0.02)
        return condition(self)

    def bodies_to(self, number: str) -> list[str]:
        return [message.body for message in self.messages if message.to == number]

    # --- The API --------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests += 1
        match = PATH.match(request.path)
        if not match:
            return self._answer(request, 404, _error(20404, "The requested resource was not found"))
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}" or match[1] != ACCOUNT_SID:
            return self._answer(request, 401, _error(20003, "Authenticate"))
        length = int(request.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(request.rfile.read(length).decode()).items()}
        held = not self._released.is_set()
        self._released.wait(timeout=30)
        if held and self._dropping:
            return self._answer(request, 503, _error(None, "Dropped by the test"))
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            status, code = failure
            return self._answer(request, status, _error(code, "Failure asked for by the test"))
        to = form.get("To", "")
        if not to.startswith("+"):
            return self._answer(request, 400, _error(21211, f"The 'To' number {to} is not valid."))
        sid = f"SM{next(self._ids):032d}"
        message = FakeMessage(
            sid,
            ACCOUNT_SID,
            to,
            form.get("From") or form.get("MessagingServiceSid", ""),
            form.get("Body", ""),
        )
        with self._lock:
            self.messages.append(message)
        now = email.utils.formatdate(usegmt=True)
        self._answer(
            request,
            201,
            {
                "sid": sid,
                "account_sid": ACCOUNT_SID,
                "to": to,
                "from": message.sender,
                "body": message.body,
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "date_created": now,
                "date_updated": now,
                "date_sent": None,
                "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
            },
        )

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client was killed meanwhile


def _error(code: int | None, message: str) -> dict:
    return {"code": code, "message": message, "more_info": "https://www.twilio.com/docs/errors"}


def twilio_environment(fake: FakeTwilio) -> dict[str, str]:
    """The same settings for a worker started as its own process."""
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": FROM_NUMBER,
        "TWILIO_API_URL": fake.url,
    }
