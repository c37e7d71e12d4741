"""The run message (run/notify.py, config/notify.yaml): one plain e-mail per run, sent to a
real SMTP server (aiosmtpd) on the loopback address, with no personal data and nothing
attached; a message that cannot be sent is logged and never fails the run."""

from __future__ import annotations

import email
import logging
import re
import socket
import time
from datetime import date
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from protection_workbench.clean.load import load_export
from protection_workbench.config import ConfigError
from protection_workbench.contract import DATASETS
from protection_workbench.run.notify import (
    NotifySettings,
    compose_message,
    load_notify_settings,
    send_run_message,
)
from protection_workbench.run.weekly import RunFailed, run_weekly
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = date(2026, 11, 24)
LOGGER = "protection_workbench.run.notify"


# --------------------------------------------------------------------------- a real server


class Inbox:
    """aiosmtpd handler: keeps every envelope it is handed."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content or e.content, policy=policy.default)
            for e in self.envelopes
        ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Start an SMTP server on 127.0.0.1 (a free port); extra keyword arguments go to
    aiosmtpd's SMTP (authenticator, auth_required …). Yields (inbox, port) makers."""
    controllers = []

    def start(**kwargs) -> tuple[Inbox, int]:
        inbox, port = Inbox(), free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return inbox, port

    yield start
    for controller in controllers:
        controller.stop()


def settings_for(port: int, **changes) -> NotifySettings:
    values = {
        "enabled": True,
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "Protection workbench <workbench@example.org>",
        "recipients": ["protection-team@example.org", "manager@example.org"],
        "timeout_seconds": 3,
    }
    return NotifySettings.model_validate({**values, **changes})


def body_of(message: EmailMessage) -> str:
    # as received over SMTP, lines end in CRLF
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


# --------------------------------------------------------------------------- personal data


def personal_values(data: Path) -> set[str]:
    """Every name, phone, document number, free-text note and id of the exports in ``data``
    (the cleaned frames), and the file names of the exports themselves."""
    export = load_export(data)
    values: set[str] = set()
    for name, frame in export.frames.items():
        ds = DATASETS[name]
        columns = {c.name for c in ds.columns if (c.pii or c.free_text) and c.kind == "str"}
        columns |= {ds.key, "case_id", "individual_id", "manifest_id"}
        for column in columns & set(frame.columns):
            values |= {str(v).strip() for v in frame[column].dropna().unique()}
    values |= {p.name for p in data.iterdir() if p.is_file()}
    return {v for v in values if len(v) >= 3}


def leaked(text: str, values: set[str]) -> list[str]:
    """The values found in ``text`` as whole words (a name "Ali" is not in "quality")."""
    return sorted(v for v in values if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text))


def assert_no_personal_data(message: EmailMessage, data: Path) -> None:
    text = f"{message['Subject']}\n{body_of(message)}"
    values = personal_values(data)
    assert len(values) > 100  # the check looks at something
    assert leaked(text, values) == []


def assert_plain_without_attachment(message: EmailMessage) -> None:
    assert not message.is_multipart()
    assert message.get_content_type() == "text/plain"
    assert list(message.iter_attachments()) == []
    assert "Traceback" not in body_of(message)


# --------------------------------------------------------------------------- the message


@pytest.fixture(scope="module")
def tiny_demo(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("notify") / "demo"
    generate_demo_exports(data, 60, 5, AS_OF, 0.02)
    return data


@pytest.mark.slow
def test_a_weekly_run_sends_one_plain_message_with_no_personal_data(weekly_demo_run, smtp_server):
    out, record = weekly_demo_run
    inbox, port = smtp_server()
    settings = settings_for(port)

    assert send_run_message(record, out, Path(record["restricted"]), settings) is True

    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "workbench@example.org"
    assert envelope.rcpt_tos == ["protection-team@example.org", "manager@example.org"]
    (message,) = inbox.messages()
    assert_plain_without_attachment(message)
    assert message["To"] == "protection-team@example.org, manager@example.org"
    subject = message["Subject"]
    assert subject.startswith("[Protection workbench] Weekly reports, week 2026-W48: ")
    words = {"ok": "ready", "gate_failed": "quality gate not passed"}
    assert subject.endswith(words.get(record["status"], "failed"))
    body = body_of(message)
    assert "Weekly reports for week 2026-W48 (23–29 November 2026), as of 24 November 2026" in body
    assert ("Quality gate: passed" if record["gate"]["passed"] else "Quality gate: NOT passed") in (
        body
    )
    for report in record["reports"]:
        state = "ready" if report["status"] == "ok" else "FAILED"
        assert f"  - {report['title']}: {state}" in body
    run_folder = out / record["run_id"]
    assert f"  {run_folder}\n" in body and run_folder.is_dir()
    assert f"  {record['restricted']}\n" in body
    # nor the name of any file of the exports (a manifest's name holds its flight)
    assert_no_personal_data(message, Path(record["data"]))


def test_a_run_stopped_by_personal_data_in_the_notes_says_why_in_words(
    tiny_demo, tmp_path, smtp_server
):
    cases = load_export(tiny_demo)["cases"]
    person = cases.iloc[0]
    notes = tmp_path / "highlights.md"
    notes.write_text(
        f"# Highlights\n\nWe met {person['first_name']} {person['last_name']} "
        f"({person['individual_id']}), phone {person['phone']}.\n",
        "utf-8",
    )
    out = tmp_path / "outputs"
    with pytest.raises(RunFailed) as failure:
        run_weekly(tiny_demo, AS_OF, out, notes=notes)
    record = failure.value.record
    inbox, port = smtp_server()

    assert send_run_message(record, out, None, settings_for(port)) is True

    (message,) = inbox.messages()
    assert_plain_without_attachment(message)
    assert message["Subject"].endswith("week 2026-W48: FAILED")
    body = body_of(message)
    assert "Status: Failed: the run stopped and no report was published." in body
    assert "Why: the team's notes seem to hold personal data; remove it and run again." in body
    assert "Reports: none was produced." in body
    failed_folder = out / f"{record['run_id']}.failed"
    assert f"  {failed_folder}\n" in body and (failed_folder / "error.txt").is_file()
    assert "highlights.md" not in body and "line" not in body  # not even where in the notes
    for value in (person["first_name"], person["last_name"], person["individual_id"]):
        assert value not in body
    assert "Case workers' folder" not in body  # not asked for: not named
    assert_no_personal_data(message, tiny_demo)


def test_failures_are_told_in_words_without_file_names_or_technical_detail():
    manifest = "manifest_COM-20261126-MJI-MLI.xlsx"  # a flight's number in the file's name
    record = {
        "run_id": "2026-W48_20261130T060000Z",
        "as_of": "2026-11-29",
        "week": "2026-W48",
        "status": "failed",
        "error": {"what": f"the exports could not be read: {manifest}: line 3: bad quote"},
        "reports": [],
    }
    text = body_of(compose_message(record, Path("/srv/outputs")))
    assert "Why: the exports could not be read (a file is missing, unreadable" in text
    assert manifest not in text and "line 3" not in text and "quote" not in text
    assert "as of" not in text  # a whole week: no "not over yet"
    assert "/srv/outputs/2026-W48_20261130T060000Z.failed" in text

    record["error"] = {"what": "internal error (ZeroDivisionError)"}
    text = body_of(compose_message(record, Path("/srv/outputs")))
    assert "Why: an internal error of the workbench (ZeroDivisionError)" in text

    record.update(
        status="reports_failed",
        gate={"passed": True, "summary": "Quality gate passed: 245 expectations"},
        findings={"errors": 3, "warnings": 0},
        reports=[
            {"title": "Weekly report", "status": "ok", "html": "w.html", "docx": "w.docx"},
            {
                "title": "Case integrity",
                "status": "failed",
                "error": "Case integrity: the notebook case_integrity.ipynb stopped in cell "
                "12 (KeyError)",
            },
        ],
    )
    message = compose_message(record, Path("/srv/outputs"))
    text = body_of(message)
    assert message["Subject"] == "Weekly reports, week 2026-W48: some reports failed"
    assert "Partly ready: 1 of 2 reports could not be produced" in text
    assert "  - Weekly report: ready (web page, Word)" in text
    assert "  - Case integrity: FAILED, it stopped with an error (KeyError)" in text
    assert "ipynb" not in text and "cell" not in text
    assert "Quality gate: passed." in text
    assert "the rules found 3 error(s) and 0 warning(s)" in text
    assert "/srv/outputs/2026-W48_20261130T060000Z\n" in text  # published: not .failed


def test_the_gate_result_is_told_in_words():
    record = {
        "run_id": "2026-W48_x",
        "week": "2026-W48",
        "as_of": "2026-11-24",
        "status": "gate_failed",
        "gate": {
            "passed": False,
            "summary": "Quality gate FAILED: 2 of 245 expectations failed (cases: "
            "individual_id unique [2 rows], referrals: referred_to missing)",
        },
        "reports": [{"title": "Weekly report", "status": "ok", "html": "w.html"}],
    }
    message = compose_message(record, Path("/srv/outputs/2026-W48_x"))
    text = body_of(message)
    assert message["Subject"] == "Weekly reports, week 2026-W48: ready, quality gate not passed"
    assert "Quality gate: NOT passed. 2 of the 245 checks of the exports' structure failed:" in text
    assert "  - cases, individual id: values repeated (2 rows)" in text
    assert "  - referrals, referred to: the column is missing" in text
    assert "expectation" not in text
    assert "as of 24 November 2026: the week was not over yet" in text
    assert "/srv/outputs/2026-W48_x\n" in text  # the run's folder given: not doubled


def test_a_period_run_names_its_period_and_project():
    record = {
        "run_id": "2026-Q3_20261001T060000Z",
        "kind": "period",
        "week": "2026-Q3",
        "period_label": "July–September 2026 (2026-Q3)",
        "project": "Safe return",
        "status": "ok",
        "gate": {"passed": True, "summary": "Quality gate passed"},
        "reports": [{"title": "Period report", "status": "ok", "html": "p.html", "pdf": "p.pdf"}],
    }
    message = compose_message(record, Path("/srv/outputs"))
    assert message["Subject"] == "Period report, July–September 2026 (2026-Q3), Safe return: ready"
    assert "Status: Ready: every report was produced and the quality gate passed." in body_of(
        message
    )


# --------------------------------------------------------------------------- sending fails


def test_a_closed_port_returns_false_and_is_logged(caplog):
    record = {"run_id": "2026-W48_x", "week": "2026-W48", "status": "ok", "reports": []}
    port = free_port()  # nothing listens there
    caplog.set_level(logging.WARNING, logger=LOGGER)
    started = time.monotonic()

    assert send_run_message(record, Path("/srv/outputs"), None, settings_for(port)) is False

    assert time.monotonic() - started < 3
    (warning,) = [r for r in caplog.records if r.name == LOGGER]
    assert warning.levelno == logging.WARNING
    assert f"SMTP server 127.0.0.1:{port}" in warning.getMessage()
    assert "ConnectionRefusedError" in warning.getMessage()


def test_a_server_that_does_not_answer_times_out_quickly(caplog):
    record = {"run_id": "2026-W48_x", "week": "2026-W48", "status": "ok", "reports": []}
    caplog.set_level(logging.WARNING, logger=LOGGER)
    with socket.socket() as silent:  # accepts connections (backlog) and never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        started = time.monotonic()
        sent = send_run_message(record, Path("/srv"), None, settings_for(port, timeout_seconds=1))
        elapsed = time.monotonic() - started
    assert sent is False and elapsed < 5
    assert "(TimeoutError): no answer within timeout_seconds" in caplog.text
    assert f"SMTP server 127.0.0.1:{port}" in caplog.text


@pytest.mark.parametrize(
    ("security", "error"), [("starttls", "SMTPNotSupportedError"), ("ssl", "SSLError")]
)
def test_encryption_asked_but_not_offered_is_never_sent_in_clear(
    smtp_server, caplog, security, error
):
    inbox, port = smtp_server()  # a plain server: neither STARTTLS nor SSL
    record = {"run_id": "2026-W48_x", "week": "2026-W48", "status": "ok", "reports": []}
    caplog.set_level(logging.WARNING, logger=LOGGER)

    sent = send_run_message(record, Path("/srv"), None, settings_for(port, security=security))

    assert sent is False
    assert inbox.envelopes == []
    assert f"SMTP server 127.0.0.1:{port}: {error}" in caplog.text


def test_a_message_switched_off_is_not_sent(smtp_server):
    inbox, port = smtp_server()
    record = {"run_id": "2026-W48_x", "week": "2026-W48", "status": "ok", "reports": []}
    off = settings_for(port, enabled=False)
    assert send_run_message(record, Path("/srv"), None, off) is False
    assert inbox.envelopes == []


def test_a_broken_notify_file_at_send_time_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    (tmp_path / "notify.yaml").write_text("enabled: true\nhost: [\n", "utf-8")
    monkeypatch.setenv("WORKBENCH_CONFIG_DIR", str(tmp_path))
    caplog.set_level(logging.WARNING, logger=LOGGER)
    record = {"run_id": "2026-W48_x", "week": "2026-W48", "status": "ok", "reports": []}
    assert send_run_message(record, Path("/srv")) is False
    assert "notify.yaml" in caplog.text and "not valid YAML" in caplog.text


def test_a_record_it_cannot_read_is_logged_not_raised(smtp_server, caplog):
    inbox, port = smtp_server()
    caplog.set_level(logging.WARNING, logger=LOGGER)
    record = {"run_id": "2026-W48_x", "week": "2026-W48", "status": "ok", "reports": [None]}
    assert send_run_message(record, Path("/srv"), None, settings_for(port)) is False
    assert "could not be written (AttributeError)" in caplog.text and inbox.envelopes == []


# --------------------------------------------------------------------------- login


# aiosmtpd warns that a login without TLS is unsafe: here it is the loopback of a test.
plain_login_on_loopback = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning"
)


@pytest.fixture
def login_server(smtp_server):
    """A server that requires a login (over a plain connection: a test on loopback)."""
    logins: list[tuple[str, str]] = []

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login = (auth_data.login.decode(), auth_data.password.decode())
        logins.append(login)
        # handled=False: aiosmtpd itself answers a refusal (535)
        return AuthResult(success=login == ("wb-robot", "s3cret pass"), handled=False)

    inbox, port = smtp_server(
        authenticator=authenticator, auth_required=True, auth_require_tls=False
    )
    return inbox, port, logins


@plain_login_on_loopback
def test_the_login_is_read_from_the_environment(login_server, monkeypatch):
    inbox, port, logins = login_server
    monkeypatch.setenv("WB_TEST_SMTP_USER", "wb-robot")
    monkeypatch.setenv("WB_TEST_SMTP_PASSWORD", "s3cret pass")
    settings = settings_for(
        port, username_variable="WB_TEST_SMTP_USER", password_variable="WB_TEST_SMTP_PASSWORD"
    )
    record = {"run_id": "2026-W48_x", "week": "2026-W48", "status": "ok", "reports": []}

    assert send_run_message(record, Path("/srv"), None, settings) is True

    assert logins == [("wb-robot", "s3cret pass")]
    (message,) = inbox.messages()
    assert "s3cret" not in message.as_string()


@plain_login_on_loopback
def test_a_refused_login_or_a_missing_variable_returns_false(login_server, monkeypatch, caplog):
    inbox, port, logins = login_server
    caplog.set_level(logging.WARNING, logger=LOGGER)
    settings = settings_for(
        port, username_variable="WB_TEST_SMTP_USER", password_variable="WB_TEST_SMTP_PASSWORD"
    )
    record = {"run_id": "2026-W48_x", "week": "2026-W48", "status": "ok", "reports": []}
    monkeypatch.setenv("WB_TEST_SMTP_USER", "wb-robot")
    monkeypatch.setenv("WB_TEST_SMTP_PASSWORD", "wrong")

    assert send_run_message(record, Path("/srv"), None, settings) is False
    assert "SMTPAuthenticationError" in caplog.text and f"127.0.0.1:{port}" in caplog.text
    assert "wrong" not in caplog.text
    tried = len(logins)  # smtplib tries each mechanism the server offers (PLAIN, LOGIN)
    assert tried >= 1 and set(logins) == {("wb-robot", "wrong")}

    caplog.clear()
    monkeypatch.delenv("WB_TEST_SMTP_PASSWORD")
    assert send_run_message(record, Path("/srv"), None, settings) is False
    assert "WB_TEST_SMTP_PASSWORD" in caplog.text and "not set" in caplog.text
    assert len(logins) == tried and inbox.envelopes == []  # not even tried

    caplog.clear()  # no login configured: the server wants one
    assert send_run_message(record, Path("/srv"), None, settings_for(port)) is False
    assert f"127.0.0.1:{port}" in caplog.text and inbox.envelopes == []


# --------------------------------------------------------------------------- configuration


def write_notify(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notify.yaml").write_text(text, "utf-8")
    return folder


ENABLED = """\
enabled: true
host: smtp.example.org
sender: workbench@example.org
recipients: [team@example.org]
"""


def test_the_shipped_file_is_valid_and_off():
    settings = load_notify_settings()
    assert settings.enabled is False
    assert settings.host == "smtp.example.org" and settings.smtp_port == 587
    assert settings.password_variable == "WORKBENCH_SMTP_PASSWORD"


def test_no_file_or_only_comments_means_no_message(tmp_path):
    assert load_notify_settings(tmp_path).enabled is False
    assert load_notify_settings(write_notify(tmp_path, "# enabled: true\n")).enabled is False


def test_a_valid_file_with_defaults(tmp_path):
    folder = write_notify(tmp_path, ENABLED.replace("[team@example.org]", "team@example.org"))
    settings = load_notify_settings(folder)
    assert settings.enabled and settings.recipients == ["team@example.org"]
    assert (settings.security, settings.smtp_port, settings.timeout_seconds) == (
        "starttls",
        587,
        15,
    )
    assert settings.describe() == (
        "run messages to 1 recipient(s) via smtp.example.org:587 (starttls)"
    )
    ssl_folder = write_notify(tmp_path / "ssl", ENABLED + "security: ssl\n")
    assert load_notify_settings(ssl_folder).smtp_port == 465


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ENABLED + "password: hunter2\n", r"key 'password': never write credentials in a file"),
        (ENABLED + "username: robot\n", r"under 'username_variable'"),
        ("enabled: true\nsender: a@example.org\nrecipients: [b@example.org]\n", r"key 'host'"),
        (ENABLED.replace("recipients: [team@example.org]\n", ""), r"key 'recipients': required"),
        (
            ENABLED.replace("team@example.org", "team at example"),
            r"key 'recipients'.*'team at example' is not an e-mail",
        ),
        (ENABLED.replace("workbench@", "workbench"), r"key 'sender'.*e-mail address"),
        (ENABLED + "secruity: ssl\n", r"key 'secruity': unknown key"),
        (ENABLED + "security: tls\n", r"key 'security'.*'starttls', 'ssl' or 'none'"),
        (ENABLED + "port: 70000\n", r"key 'port'"),
        (ENABLED + "timeout_seconds: 600\n", r"key 'timeout_seconds'"),
        (ENABLED.replace("smtp.example.org", "smtp.example.org:587"), r"port goes under 'port'"),
        (ENABLED.replace("smtp.example.org", "smtp://smtp.example.org"), r"no smtp://"),
        (ENABLED + "password_variable: SMTP_PASSWORD\n", r"both .* or neither"),
        (
            ENABLED + "username_variable: SMTP USER\npassword_variable: P\n",
            r"key 'username_variable'.*not the name of an environment variable",
        ),
        (
            ENABLED + "security: none\nusername_variable: U\npassword_variable: P\n",
            r"key 'security'.*unencrypted to smtp.example.org",
        ),
        ("- smtp.example.org\n", r"expected a mapping"),
        ("enabled: true\nhost: [\n", r"not valid YAML"),
    ],
)
def test_a_mistake_in_the_file_is_named(tmp_path, text, message):
    folder = write_notify(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as error:
        load_notify_settings(folder)
    assert "notify.yaml" in str(error.value)
    assert "hunter2" not in str(error.value)


def test_a_plain_login_is_allowed_on_this_machine_only(tmp_path):
    text = ENABLED + "security: none\nusername_variable: U\npassword_variable: P\n"
    for host in ("localhost", "127.0.0.1", "::1", "'[::1]'"):
        folder = write_notify(
            tmp_path / host.replace(":", "_"), text.replace("smtp.example.org", host)
        )
        settings = load_notify_settings(folder)
        assert settings.uses_login and settings.host in ("localhost", "127.0.0.1", "::1")
