"""A tiny SMTP server for tests: it records what it receives and misbehaves on request.

    server = SMTPTestServer().start()      # 127.0.0.1, a free port
    server.mode = "temporary"              # 451 at MAIL (or at DATA, or 421 and hang up)
    server.mode = "permanent"              # 550 at RCPT
    server.delay = 0.3                     # "slow": waits that long before answering MAIL
    server.hold_from = 4                   # the 4th MAIL and later wait for release()
    server.stop()                          # "down": nothing listening on the port
    server.start()                         # back, on the same port

Only what Django's SMTP backend speaks: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
"""

import email
import email.policy
import socketserver
import threading
import time
from dataclasses import dataclass, field


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_to: list[str]
    data: bytes
    message: email.message.EmailMessage = field(init=False, repr=False)

    def __post_init__(self):
        self.message = email.message_from_bytes(self.data, policy=email.policy.default)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10  # a client that vanished must not keep a thread forever

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        smtp: SMTPTestServer = self.server.owner
        self.reply("220 127.0.0.1 test SMTP ready")
        mail_from, rcpt_to = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb, _, arg = line.decode("utf-8", "replace").strip().partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.reply("250-127.0.0.1")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 127.0.0.1")
            elif verb == "MAIL":
                if smtp._count_mail() >= smtp.hold_from:
                    smtp._released.wait(timeout=30)
                if smtp.delay:
                    time.sleep(smtp.delay)
                if smtp._refuse_now("mail"):
                    if smtp.temporary_code == "421":
                        self.reply("421 4.3.2 Service shutting down")
                        return
                    self.reply(f"{smtp.temporary_code} 4.3.0 Try again later")
                    continue
                mail_from, rcpt_to = arg.partition(":")[2].strip(), []
                self.reply("250 2.1.0 OK")
            elif verb == "RCPT":
                address = arg.partition(":")[2].strip().strip("<>")
                if mail_from is None:
                    self.reply("503 5.5.1 MAIL first")
                elif smtp.mode == "permanent" or address in smtp.refused_recipients:
                    self.reply("550 5.1.1 No such user here")
                else:
                    rcpt_to.append(address)
                    self.reply("250 2.1.5 OK")
            elif verb == "DATA":
                if not rcpt_to:
                    self.reply("503 5.5.1 RCPT first")
                    continue
                if smtp._refuse_now("data"):
                    self.reply(f"{smtp.temporary_code} 4.3.0 Try again later")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = self._read_data()
                if data is None:
                    return
                smtp._record(ReceivedMessage(mail_from, rcpt_to, data))
                mail_from, rcpt_to = None, []
                self.reply("250 2.0.0 OK queued")
            elif verb == "RSET":
                mail_from, rcpt_to = None, []
                self.reply("250 2.0.0 OK")
            elif verb == "NOOP":
                self.reply("250 2.0.0 OK")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("500 5.5.2 Command not recognised")

    def _read_data(self) -> bytes | None:
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                return None  # the client went away before the end: nothing was sent
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        pass  # a client killed by a test breaks its connection: that is the point


class SMTPTestServer:
    def __init__(self, port: int = 0):
        self.host = "127.0.0.1"
        self.port = port
        self.mode = "accept"  # or "temporary" or "permanent"
        self.temporary_at = "mail"  # or "data"
        self.temporary_code = "451"  # or "421": answer, then hang up (only at MAIL)
        self.temporary_count: int | None = None  # refuse only this many times, then accept
        self.refused_recipients: set[str] = set()
        self.delay = 0.0
        self.hold_from = float("inf")  # MAIL commands from this number on wait...
        self._released = threading.Event()  # ...until release()
        self.received: list[ReceivedMessage] = []
        self.mail_commands = 0
        self._lock = threading.Lock()
        self._server: _Server | None = None

    def start(self) -> "SMTPTestServer":
        self._server = _Server((self.host, self.port), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def release(self) -> None:
        self._released.set()

    def _count_mail(self) -> int:
        with self._lock:
            self.mail_commands += 1
            return self.mail_commands

    def _refuse_now(self, stage: str) -> bool:
        with self._lock:
            if self.mode != "temporary" or self.temporary_at != stage:
                return False
            if self.temporary_count is None:
                return True
            if self.temporary_count <= 0:
                return False
            self.temporary_count -= 1
            return True

    def _record(self, message: ReceivedMessage) -> None:
        with self._lock:
            self.received.append(message)

    def message_ids(self) -> list[str]:
        with self._lock:
            return [message.message_id for message in self.received]

    def wait_until(self, condition, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return True
            time.sleep(0.02)
        return condition(self)
