"""A real IMAP server for tests: Dovecot from Debian on loopback, with one mailbox in a temporary Maildir."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mail import free_port

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={user} gid={user} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int
    username: str
    password: str

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.username, self.password)
        return client

    def deliver(self, raw: bytes) -> None:
        """Put a message into the INBOX, as the mail server would on delivery."""
        client = self.client()
        try:
            client.append("INBOX", None, None, raw)
        finally:
            client.logout()


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Dovecot stopped: {log.read_text() if log.exists() else ''}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("Dovecot did not start listening within 10 s")


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    """Start Dovecot (needs the dovecot-imapd package and root, as in CI) with the mailbox support@acme.test."""
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if binary is None or os.geteuid() != 0:
        from tests.conftest import skip_or_fail  # here, not at the top: conftest imports this module

        skip_or_fail("Dovecot (apt-get install dovecot-imapd) and root are needed for the IMAP tests")
    # Not under pytest's tmp_path: its parents are private to root, and Dovecot's own users must read the folder.
    root = Path(tempfile.mkdtemp(prefix="amity-dovecot-"))
    root.chmod(0o755)
    mail_user = "dovecot" if _has_user("dovecot") else "nobody"
    for folder in ("run", "state", "mail"):
        (root / folder).mkdir()
    entry = pwd.getpwnam(mail_user)
    os.chown(root / "mail", entry.pw_uid, entry.pw_gid)
    server = ImapServer("127.0.0.1", free_port(), "support@acme.test", "mailbox-secret")
    (root / "users").write_text(f"{server.username}:{{PLAIN}}{server.password}\n")
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=server.port, user=mail_user))
    process = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(server.port, process, root / "dovecot.log")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
