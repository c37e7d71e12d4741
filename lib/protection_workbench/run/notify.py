"""The run message: one plain e-mail at the end of a weekly or period run.

A scheduled run has no one watching it. When ``config/notify.yaml`` switches the message
on, the team hears after each run whether the reports are ready, whether the quality gate
passed, which reports were produced, where the reviewers' folder is, and what failed::

    from protection_workbench.run.notify import load_notify_settings, send_run_message

    settings = load_notify_settings()              # at the start: a broken file stops early
    record = run_weekly(...)                       # or run_period(...), or RunFailed.record
    send_run_message(record, out, Path(record["restricted"]), settings)

The message is built from the run record (run.json) alone and says only what a reviewer
may read: titles, statuses, counts, folders, the kind of an error. Never the name of an
export file (a manifest's file name holds a flight number), an id, a value from the data
or the team's notes, and never a traceback; nothing is attached.

Sending never fails the run: a refused connection, a refused login or a server that does
not answer within the timeout is logged as a warning naming the SMTP server and the kind
of error, and :func:`send_run_message` returns ``False``. Credentials are never in a file:
``config/notify.yaml`` names the environment variables that hold them.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import smtplib
import socket
import ssl
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..config import ConfigError, _pydantic_error, _read_yaml, default_config_dir
from ..dates import parse_iso_week
from ..errors import WorkbenchError
from ..reports.phrases import long_day

NOTIFY_FILE = "notify.yaml"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_LOG = logging.getLogger(__name__)

# --------------------------------------------------------------------------- settings

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ADDRESS = re.compile(r"^[^@\s<>,;\"()]+@[A-Za-z0-9.-]+$")
# Keys an analyst may reach for; each gets a message saying where credentials go instead.
_SECRET_KEYS = ("password", "pass", "username", "user", "login")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    return _is_ip(host) and ipaddress.ip_address(host.strip("[]")).is_loopback


def _check_address(value: str) -> str:
    """An address (``team@example.org``) or a named one (``Team <team@example.org>``)."""
    _, address = parseaddr(value)
    if not _ADDRESS.match(address or ""):
        raise ValueError(f"{value!r} is not an e-mail address like team@example.org")
    return value.strip()


class NotifySettings(BaseModel):
    """The ``config/notify.yaml`` settings (validated by :func:`load_notify_settings`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str | None = None
    recipients: list[str] = []
    # Names of environment variables (never the values): both or neither.
    username_variable: str | None = None
    password_variable: str | None = None
    # Short: a scheduled run must not hang on a mail server that does not answer.
    timeout_seconds: float = Field(default=15, ge=1, le=120)
    subject_prefix: str = "[Protection workbench]"

    @field_validator("host")
    @classmethod
    def _host_name_only(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.strip()
        if not v or "://" in v or any(c.isspace() for c in v):
            raise ValueError("expected a host name such as smtp.example.org (no smtp://)")
        if ":" in v and not _is_ip(v):
            raise ValueError("write the host name only; the port goes under 'port'")
        return v.strip("[]") if _is_ip(v) else v  # smtplib wants ::1, not [::1]

    @field_validator("sender")
    @classmethod
    def _sender_address(cls, v: str | None) -> str | None:
        return None if v is None else _check_address(v)

    @field_validator("recipients", mode="before")
    @classmethod
    def _one_or_more(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v  # one address written without a list

    @field_validator("recipients")
    @classmethod
    def _recipient_addresses(cls, v: list[str]) -> list[str]:
        return [_check_address(a) for a in v]

    @field_validator("username_variable", "password_variable")
    @classmethod
    def _variable_name(cls, v: str | None) -> str | None:
        if v is not None and not _ENV_NAME.match(v):
            raise ValueError(
                f"{v!r} is not the name of an environment variable (like WORKBENCH_SMTP_PASSWORD)"
            )
        return v

    @property
    def smtp_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def uses_login(self) -> bool:
        return self.password_variable is not None

    def describe(self) -> str:
        """One line for ``workbench config check``."""
        if not self.enabled:
            return f"run messages off ({NOTIFY_FILE}: enabled: false)"
        login = f", login from ${self.username_variable}" if self.uses_login else ""
        return (
            f"run messages to {len(self.recipients)} recipient(s) via {self.host}:"
            f"{self.smtp_port} ({self.security}{login})"
        )


def load_notify_settings(directory: str | Path | None = None) -> NotifySettings:
    """Read and validate ``notify.yaml`` of ``directory`` (default: config/). No file, or
    a file of comments only, means no run message. A problem raises
    :class:`~protection_workbench.config.ConfigError` naming the file, the key and what is
    wrong, as for every configuration file."""
    directory = Path(directory) if directory is not None else default_config_dir()
    path = directory / NOTIFY_FILE
    if not path.is_file():
        return NotifySettings()
    raw = _read_yaml(path)
    if raw is None:
        return NotifySettings()
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of setting -> value (see the example)")
    for key in _SECRET_KEYS:
        if key in raw:
            kind = "password" if key.startswith("pass") else "username"
            raise ConfigError(
                f"{path}: key '{key}': never write credentials in a file: put the {kind} in "
                f"an environment variable and give that variable's name under "
                f"'{kind}_variable'"
            )
    try:
        settings = NotifySettings.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_error(path, exc) from None
    if settings.enabled:
        for key in ("host", "sender", "recipients"):
            if not getattr(settings, key):
                raise ConfigError(f"{path}: key '{key}': required when 'enabled' is true")
    if (settings.username_variable is None) != (settings.password_variable is None):
        raise ConfigError(
            f"{path}: key 'username_variable': give both 'username_variable' and "
            "'password_variable', or neither (no login)"
        )
    if settings.uses_login and settings.security == "none" and not _is_loopback(settings.host):
        raise ConfigError(
            f"{path}: key 'security': 'none' would send the password unencrypted to "
            f"{settings.host}; use starttls or ssl (plain is allowed on this machine only)"
        )
    return settings


# --------------------------------------------------------------------------- the message

_STATUS_WORDS = {
    "ok": ("ready", "Ready: every report was produced and the quality gate passed."),
    "gate_failed": (
        "ready, quality gate not passed",
        "Ready, with a warning: every report was produced, but the quality gate did not "
        "pass (see below).",
    ),
    "reports_failed": (
        "some reports failed",
        "Partly ready: {failed} of {total} reports could not be produced; the others are "
        "published.",
    ),
    "failed": ("FAILED", "Failed: the run stopped and no report was published."),
}
# Why a whole run failed, in words, by how run.json's error begins. The rest of that text
# may name an export file, or the notes file and its lines: it is never copied.
_RUN_FAILURES = (
    (
        "the exports could not be read",
        "the exports could not be read (a file is missing, unreadable or not in the form "
        "the workbench expects)",
    ),
    ("the team's notes could not be read", "the team's notes file could not be read"),
    (
        "the team's notes seem to hold personal data",
        "the team's notes seem to hold personal data; remove it and run again",
    ),
    ("could not write", "the outputs could not be written (is the disk full or read-only?)"),
)
# The gate summary's short wording ("cases: sex in set [1 row]") in words.
_GATE_WORDS = {
    "missing": "the column is missing",
    "exists": "the column is missing",
    "not null": "values missing",
    "type": "values of the wrong kind",
    "unique": "values repeated",
    "in set": "values not in the code list",
    "format": "values in the wrong format",
    "in range": "values out of range",
}
_GATE_PART = re.compile(
    r"^(?P<dataset>\w+): (?P<column>\w+) (?P<check>" + "|".join(_GATE_WORDS) + r")"
    r"(?: \[(?P<why>[^\]]*)\])?$"
)
_ERROR_KIND = re.compile(r"\((\w+)\)\s*$")


def _span(first: date, last: date) -> str:
    """ "23–29 November 2026", "30 November – 6 December 2026", across a year in full."""
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
    return f"{long_day(first)} – {long_day(last)}"


def _what_run(record: dict) -> tuple[str, str]:
    """(for the subject, for the first line): which reports, for which week or period."""
    if record.get("kind") == "period":
        label = record.get("period_label") or record.get("week") or "the period"
        project = f", {record['project']}" if record.get("project") else ""
        return f"Period report, {label}{project}", f"Period report for {label}{project}."
    week = str(record.get("week") or "")
    try:
        year, number = parse_iso_week(week)
    except WorkbenchError:
        return "Weekly reports", "Weekly reports."
    monday = date.fromisocalendar(year, number, 1)
    sunday = date.fromisocalendar(year, number, 7)
    line = f"Weekly reports for week {week} ({_span(monday, sunday)})"
    as_of = record.get("as_of")
    if as_of and date.fromisoformat(as_of) < sunday:
        line += f", as of {long_day(date.fromisoformat(as_of))}: the week was not over yet"
    return f"Weekly reports, week {week}", line + "."


def _gate_lines(record: dict) -> list[str]:
    gate = record.get("gate")
    if not gate:
        return ["Quality gate: not reached (the run stopped before the exports were checked)."]
    if gate.get("passed"):
        return ["Quality gate: passed. The exports have the structure the reports expect."]
    summary = str(gate.get("summary", ""))
    counts = re.search(r"(\d+) of (\d+) expectations failed", summary)
    parts = re.search(r"failed \((.*)\)\s*$", summary)
    said = (
        f"{counts[1]} of the {counts[2]} checks of the exports' structure failed"
        if counts
        else "some checks of the exports' structure failed"
    )
    lines = (
        [f"Quality gate: NOT passed. {said}:"] if parts else [f"Quality gate: NOT passed. {said}."]
    )
    for part in (p.strip() for p in (parts[1].split(", ") if parts else [])):
        found = _GATE_PART.match(part)
        if found is None:
            lines.append(f"  - {part}")
            continue
        why = f" ({found['why']})" if found["why"] else ""
        column = found["column"].replace("_", " ")
        lines.append(f"  - {found['dataset']}, {column}: {_GATE_WORDS[found['check']]}{why}")
    lines.append(
        "  The figures that rest on these records may be off until they are corrected; "
        "the data quality report says more."
    )
    return lines


def _findings_line(record: dict) -> list[str]:
    findings = record.get("findings")
    if not findings:
        return []
    errors, warnings = int(findings.get("errors", 0)), int(findings.get("warnings", 0))
    if not errors and not warnings:
        return ["Records to correct: none found by the rules."]
    return [
        f"Records to correct: the rules found {errors} error(s) and {warnings} warning(s); "
        "case workers see them, with the records' ids, in findings.xlsx of the restricted "
        "folder."
    ]


def _report_line(entry: dict) -> str:
    title = entry.get("title") or entry.get("notebook") or "A report"
    status = entry.get("status")
    if status == "ok":
        made = [
            name
            for key, name in (("html", "web page"), ("docx", "Word"), ("pdf", "PDF"))
            if entry.get(key)
        ]
        notes = []
        if entry.get("docx_error"):
            notes.append("the Word copy could not be written")
        if entry.get("pdf_error"):
            notes.append("the PDF could not be printed")
        elif entry.get("pdf_skipped"):
            why = "Chromium is not installed" if "Chromium" in entry["pdf_skipped"] else "skipped"
            notes.append(f"no PDF ({why})")
        extra = f"; {'; '.join(notes)}" if notes else ""
        return f"  - {title}: ready ({', '.join(made) or 'published'}{extra})"
    if status == "failed":
        kind = _ERROR_KIND.search(str(entry.get("error", "")))
        of_kind = f" ({kind[1]})" if kind else ""
        return f"  - {title}: FAILED, it stopped with an error{of_kind} before it was finished"
    return f"  - {title}: not produced (the run stopped first)"


def _run_failure(record: dict) -> str:
    what = str((record.get("error") or {}).get("what", ""))
    internal = re.match(r"internal error \((\w+)\)", what)
    if internal:
        return f"an internal error of the workbench ({internal[1]}): a bug for the maintainers"
    for start, words in _RUN_FAILURES:
        if start in what:
            return words
    return "the run stopped before any report was produced"


def _run_folder(record: dict, reviewers_folder: Path) -> Path:
    """The run's own folder: ``reviewers_folder`` may be the site (``--out``) or the run."""
    run_id = str(record.get("run_id", ""))
    names = (run_id, f"{run_id}.failed")
    if run_id and reviewers_folder.name in names:
        return reviewers_folder
    failed = record.get("status") == "failed"
    return reviewers_folder / (f"{run_id}.failed" if failed else run_id)


def compose_message(
    record: dict, reviewers_folder: Path, restricted_folder: Path | None = None
) -> EmailMessage:
    """The plain-text message about the run of ``record`` (run.json, or the record of a
    :class:`~.weekly.RunFailed`). ``reviewers_folder`` is the reviewers' site (``--out``)
    or the run's folder in it; ``restricted_folder``, when given, is named as the case
    workers' folder. Subject and body only: :func:`send_run_message` addresses it."""
    status = str(record.get("status", ""))
    reports = record.get("reports") or []
    failed = [r for r in reports if r.get("status") == "failed"]
    short, sentence = _STATUS_WORDS.get(status, ("not finished", "The run did not finish."))
    sentence = sentence.format(failed=len(failed), total=len(reports))
    subject_what, first_line = _what_run(record)
    run_folder = _run_folder(record, Path(reviewers_folder))

    body = [first_line, "", f"Status: {sentence}"]
    if status == "failed":
        body.append(f"Why: {_run_failure(record)}.")
    body += ["", *_gate_lines(record), *_findings_line(record), ""]
    if reports:
        body.append(f"Reports ({len(reports)}):")
        body += [_report_line(r) for r in reports]
    else:
        body.append("Reports: none was produced.")
    body += ["", "Reviewers' folder (safe to share):", f"  {run_folder}"]
    if status == "failed":
        body.append("  error.txt there says what went wrong; earlier runs are untouched.")
    else:
        body.append("  Open index.html there in a browser: it links every report of this run.")
        if failed:
            body.append("  error.txt there says which reports failed and where.")
    if restricted_folder is not None:
        body += [
            "",
            "Case workers' folder (never share: real ids; technical details in logs/):",
            f"  {restricted_folder}",
        ]
    if record.get("run_id"):
        body += ["", f"Run {record['run_id']}."]
    body += [
        "This message was sent by the protection data workbench at the end of the run. "
        "It holds no personal data and nothing is attached.",
    ]

    message = EmailMessage()
    message["Subject"] = f"{subject_what}: {short}"
    message["Date"] = formatdate(localtime=True)
    message.set_content("\n".join(body) + "\n")
    return message


# --------------------------------------------------------------------------- sending

# The kinds of failure a team can act on, in words (the most specific first).
_SEND_ERRORS: tuple[tuple[type[BaseException], str], ...] = (
    (smtplib.SMTPAuthenticationError, "the user name or password was refused"),
    (smtplib.SMTPNotSupportedError, "the server does not offer what notify.yaml asks"),
    (smtplib.SMTPRecipientsRefused, "the server refused every recipient"),
    (smtplib.SMTPSenderRefused, "the server refused the sender address"),
    (ssl.SSLError, "the secure connection failed (certificate or security setting?)"),
    (ConnectionRefusedError, "nothing accepts connections there (host or port wrong?)"),
    (TimeoutError, "no answer within timeout_seconds"),
    (socket.gaierror, "the host name is not known"),
    (smtplib.SMTPServerDisconnected, "the server closed the connection"),
    (OSError, "the server could not be reached"),
)


def _in_words(exc: BaseException) -> tuple[str, str]:
    """(the kind of error, what it means). smtplib turns a timeout or a reset while it
    reads a reply into SMTPServerDisconnected: the cause is named too."""
    kind = type(exc).__name__
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(cause, OSError):
        kind, exc = f"{kind} ({type(cause).__name__})", cause
    words = next((w for k, w in _SEND_ERRORS if isinstance(exc, k)), "the message was refused")
    return kind, words


class _VariableNotSet(Exception):
    """An environment variable that notify.yaml names for the login is not set."""


def _login(settings: NotifySettings) -> tuple[str, str] | None:
    """(user, password) from the environment variables the settings name."""
    if not settings.uses_login:
        return None
    names = (settings.username_variable, settings.password_variable)
    missing = [n for n in names if not os.environ.get(n or "")]
    if missing:
        raise _VariableNotSet(missing[0])
    return os.environ[names[0]], os.environ[names[1]]


def _deliver(message: EmailMessage, settings: NotifySettings) -> dict:
    """Hand ``message`` to the SMTP server of ``settings``; the recipients it refused."""
    host, port, timeout = settings.host, settings.smtp_port, settings.timeout_seconds
    credentials = _login(settings)
    context = ssl.create_default_context()
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if settings.security == "starttls":
            client.starttls(context=context)
        if credentials:
            client.login(*credentials)
        return client.send_message(message)


def _addressed(message: EmailMessage, settings: NotifySettings) -> EmailMessage:
    """``message`` with its sender, recipients, id and the subject's prefix."""
    if settings.subject_prefix:
        subject = message["Subject"]
        del message["Subject"]
        message["Subject"] = f"{settings.subject_prefix} {subject}"
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    domain = parseaddr(settings.sender or "")[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    return message


def send_run_message(
    record: dict,
    reviewers_folder: Path,
    restricted_folder: Path | None = None,
    settings: NotifySettings | None = None,
) -> bool:
    """Send the run's message (:func:`compose_message`) as ``settings`` say (default: read
    ``config/notify.yaml``). True when the server accepted it; False when the message is
    switched off or could not be sent; then a warning is logged naming the server and the
    kind of error. Never raises: a message that fails must not fail the run."""
    try:
        settings = load_notify_settings() if settings is None else settings
    except ConfigError as exc:
        _LOG.warning("run message not sent: %s", exc)
        return False
    if not settings.enabled:
        _LOG.debug("run message off (%s)", NOTIFY_FILE)
        return False
    server = f"{settings.host}:{settings.smtp_port}"
    try:
        message = _addressed(compose_message(record, reviewers_folder, restricted_folder), settings)
    except Exception as exc:  # noqa: BLE001 (a bug here must not fail the run either)
        _LOG.warning(
            "run message not sent: it could not be written (%s); a bug for the maintainers",
            type(exc).__name__,
        )
        return False
    try:
        refused = _deliver(message, settings)
    except _VariableNotSet as exc:
        _LOG.warning(
            "run message not sent to the SMTP server %s: the environment variable %s "
            "(named in %s) is not set",
            server,
            exc.args[0],
            NOTIFY_FILE,
        )
        return False
    except Exception as exc:  # noqa: BLE001 (a message that fails must never fail the run)
        _LOG.warning("run message not sent: SMTP server %s: %s: %s", server, *_in_words(exc))
        return False
    if refused:
        _LOG.warning(
            "run message: the SMTP server %s refused %d of %d recipient(s)",
            server,
            len(refused),
            len(settings.recipients),
        )
    _LOG.info("run message sent via %s to %d recipient(s)", server, len(settings.recipients))
    return True
