"""SMTP over TLS (implicit and STARTTLS) with a throw-away certificate, and the demo's mail sink."""
from __future__ import annotations

import email
import email.policy
import shutil
import ssl
import subprocess

import pytest

from notifications.channels import Message
from notifications.channels.email import SmtpEmail
from notifications.mailsink import main as mailsink_main
from notifications.mailsink import start_mail_sink
from notify_servers import RecordingHandler, free_port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed: no certificate for the TLS tests")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def contexts(certificate):
    cert, key = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_modes_deliver(certificate, security):
    from aiosmtpd.controller import Controller

    server_ctx, client_ctx = contexts(certificate)
    handler, port = RecordingHandler(), free_port()
    if security == "ssl":
        controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=server_ctx)
    else:
        controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_ctx,
                                require_starttls=True)
    controller.start()
    try:
        smtp = SmtpEmail("127.0.0.1", port, security=security, sender="pufa@example.gov.cn", ssl_context=client_ctx)
        smtp.send(Message(recipient="a@example.cn", subject="加密通道", text="正文"))
    finally:
        controller.stop()
    [envelope] = handler.envelopes
    assert email.message_from_bytes(envelope.original_content, policy=email.policy.default)["Subject"] == "加密通道"


def test_plain_client_is_refused_where_starttls_is_required(certificate):
    from aiosmtpd.controller import Controller

    server_ctx, _ = contexts(certificate)
    handler, port = RecordingHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_ctx, require_starttls=True)
    controller.start()
    try:
        outcome = SmtpEmail("127.0.0.1", port, sender="pufa@example.gov.cn").send_many(
            [Message(recipient="a@example.cn", subject="s", text="t")])[0]
    finally:
        controller.stop()
    assert not handler.envelopes and outcome.code == "530" and not outcome.retryable


def test_mail_sink_writes_readable_eml_files(tmp_path):
    port = free_port()
    folder = tmp_path / "instance" / "mail"
    controller = start_mail_sink(folder, port=port)
    try:
        smtp = SmtpEmail("127.0.0.1", port, sender="普法办 <pufa@example.gov.cn>")
        smtp.send_many([Message(recipient=f"u{i}@example.cn", subject=f"整改提醒 {i}", text="您有一项整改事项即将到期",
                                html="<p>即将到期</p>") for i in range(3)])
    finally:
        controller.stop()
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 3 and not list(folder.glob("*.part"))
    subjects = sorted(email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["Subject"] for f in files)
    assert subjects == ["整改提醒 0", "整改提醒 1", "整改提醒 2"]
    mail = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert "即将到期" in mail.get_body(("plain",)).get_content()


def test_mail_sink_command_help(capsys):
    with pytest.raises(SystemExit) as caught:
        mailsink_main(["--help"])
    assert caught.value.code == 0 and "instance/mail" in capsys.readouterr().out


def test_mail_sink_as_a_process_stops_on_sigterm(tmp_path):
    import signal
    import sys
    from pathlib import Path

    port = free_port()
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "notifications.mailsink", "--dir", str(tmp_path / "mail"),
                             "--port", str(port)], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert f"smtp://127.0.0.1:{port}" in proc.stdout.readline()
        SmtpEmail("127.0.0.1", port, sender="pufa@example.gov.cn").send(
            Message(recipient="a@example.cn", subject="演示", text="t"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
