"""E-mails to the editors: sent through a real SMTP server on loopback (aiosmtpd), at most one
an hour and only for drafts the last e-mail did not list, remembered across restarts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot import notifications, service
from bot.app import build_app, build_mailer
from bot.clock import FixedClock
from bot.errors import ConfigError, NotifyError
from bot.models import Draft, DraftKind, Notice
from bot.service import App
from bot.settings import Settings, SmtpSettings, WebSettings, load_settings
from bot.smtp_mailer import SmtpMailer
from tests.processes import free_port

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
EDITORS = ["marta@xmess.cat", "jordi@igualada.cat"]
SMTP_USER = "bot@xmess.cat"
SMTP_PASSWORD = "s3cret-smtp-pass"


@dataclass
class Inbox:
    """What the local SMTP server received: (envelope sender, recipients, message)."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), cast(EmailMessage, message))
        )
        return "250 OK"


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    valid = isinstance(data, LoginPassword) and (data.login, data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=valid, handled=False)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=check_login,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def smtp_settings(port: int, password: str = SMTP_PASSWORD) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1",
        port=port,
        username=SMTP_USER,
        password=password,  # type: ignore[arg-type]
        from_address="XMESS <bot@xmess.cat>",
        starttls=False,
        timeout_seconds=5,
    )


def make_app(tmp_path: Path, port: int, at: datetime = NOW) -> App:
    settings = Settings(  # type: ignore[call-arg]
        config_dir=tmp_path,
        slots_file="",
        smtp=smtp_settings(port),
        notify_to=EDITORS,
        web=WebSettings(public_url="https://bot.xmess.cat/"),
    )
    return build_app(settings, FixedClock(at))


def at(app: App, moment: datetime) -> App:
    """The same app (same database) at another moment, as a later run would be."""
    return build_app(app.settings, FixedClock(moment))


def notify(app: App) -> str:
    return notifications.notify_pending(app, build_mailer(app.settings))


def test_waiting_drafts_are_mailed_to_the_editors_with_links(
    tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    server, port = inbox
    app = make_app(tmp_path, port)
    service.add_manual(app, "Marta", "Jornada de cooperatives a l’Ateneu d’Igualada")
    service.add_manual(app, "Marta", "Fira de l’economia social al Prat")

    assert notify(app) == "avís enviat a 2 persones: 2 esborranys pendents"

    [(sender, recipients, message)] = server.messages
    assert (sender, recipients) == (SMTP_USER, EDITORS)
    assert message["Subject"] == "XMESS: 2 esborranys esperen aprovació"
    assert message["To"] == "marta@xmess.cat, jordi@igualada.cat"
    assert message.get_content().replace("\r\n", "\n") == (
        "Hola,\n\n"
        "A la cua d'aprovació de la XMESS hi ha 2 esborranys pendents:\n\n"
        "#1 · publicació pròpia\n"
        "  Jornada de cooperatives a l’Ateneu d’Igualada\n"
        "  https://bot.xmess.cat/drafts/1\n\n"
        "#2 · publicació pròpia\n"
        "  Fira de l’economia social al Prat\n"
        "  https://bot.xmess.cat/drafts/2\n\n"
        "Podeu revisar-los a https://bot.xmess.cat/\n\n"
        "Aquest missatge l'envia xmess-bot, com a molt un cop per hora i només quan hi ha "
        "esborranys nous per revisar.\n"
    )


def test_at_most_one_mail_an_hour_and_only_for_new_drafts_even_after_a_restart(
    tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    server, port = inbox
    app = make_app(tmp_path, port)
    service.add_manual(app, "Marta", "Primera publicació sobre cooperatives")
    notify(app)

    same_drafts_later = notify(at(app, NOW + timedelta(hours=3)))
    service.add_manual(app, "Marta", "Segona publicació sobre cooperatives")
    too_soon = notify(at(app, NOW + timedelta(minutes=59)))
    an_hour_after = notify(at(app, NOW + timedelta(hours=1)))

    assert [same_drafts_later, too_soon] == [
        "cap avís: res de nou per revisar, o ja se n'ha enviat un fa menys d'una hora"
    ] * 2
    assert an_hour_after == "avís enviat a 2 persones: 2 esborranys pendents"
    assert [m["Subject"] for _, _, m in server.messages] == [
        "XMESS: 1 esborrany espera aprovació",
        "XMESS: 2 esborranys esperen aprovació",
    ]


def test_an_empty_queue_sends_nothing(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    server, port = inbox
    assert notify(make_app(tmp_path, port)) == (
        "cap avís: res de nou per revisar, o ja se n'ha enviat un fa menys d'una hora"
    )
    assert server.messages == []


def test_without_recipients_nothing_is_sent(tmp_path: Path) -> None:
    settings = Settings(config_dir=tmp_path, slots_file="")  # type: ignore[call-arg]
    app = build_app(settings, FixedClock(NOW))
    service.add_manual(app, "Marta", "Una publicació sobre cooperatives")
    assert (build_mailer(settings), notify(app)) == (
        None,
        "avisos per correu desactivats (notify_to buit)",
    )


@pytest.mark.parametrize(
    ("waiting", "last", "due"),
    [
        ([], None, False),
        ([1], None, True),
        ([1, 2], Notice(NOW - timedelta(hours=2), (1, 2), 2), False),
        ([1, 2, 3], Notice(NOW - timedelta(hours=2), (1, 2), 2), True),
        ([1, 2, 3], Notice(NOW - timedelta(minutes=30), (1, 2), 2), False),
        ([3], Notice(NOW - timedelta(hours=1), (1, 2), 2), True),
    ],
)
def test_when_a_notice_is_due(waiting: list[int], last: Notice | None, due: bool) -> None:
    assert notifications.is_notice_due(waiting, last, NOW) is due


def test_without_a_public_url_the_mail_says_how_to_look_from_the_command_line() -> None:
    text = "L’Ajuntament d’Igualada obre la convocatòria"
    draft = Draft(DraftKind.NEWS, text, NOW, id=7, member="Igualada")
    mail = notifications.compose_notice([draft], ("marta@xmess.cat",), None)
    assert mail.body.splitlines()[2:7] == [
        "A la cua d'aprovació de la XMESS hi ha 1 esborrany pendent:",
        "",
        "#7 · notícia · Igualada",
        "  L’Ajuntament d’Igualada obre la convocatòria",
        "",
    ]
    assert "«xmess-bot queue list» i «xmess-bot queue show ID»" in mail.body


def test_a_wrong_password_is_a_clear_error_that_does_not_repeat_it(
    inbox: tuple[Inbox, int],
) -> None:
    _, port = inbox
    mailer = SmtpMailer(smtp_settings(port, password="wrong-password-123"))
    mail = notifications.compose_notice([], ("marta@xmess.cat",), None)
    with pytest.raises(NotifyError) as raised:
        mailer.send(mail)
    assert str(raised.value) == (
        f"el servidor de correu 127.0.0.1:{port} no accepta l'usuari «bot@xmess.cat» amb la "
        "contrasenya de XMESS_SMTP__PASSWORD (535)"
    )


def test_an_unreachable_mail_server_is_a_notify_error_naming_it() -> None:
    port = free_port()
    mail = notifications.compose_notice([], ("marta@xmess.cat",), None)
    with pytest.raises(NotifyError) as raised:
        SmtpMailer(smtp_settings(port)).send(mail)
    assert str(raised.value).startswith(
        f"no s'ha pogut enviar l'avís per correu a través de 127.0.0.1:{port}: "
    )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[smtp]\nhost = "smtp.xmess.cat"\npassword = "hunter2"\n',
            "clau «smtp.password»: les credencials no van al fitxer, sinó a l'entorn "
            "(XMESS_SMTP__PASSWORD)",
        ),
        (
            'notify_to = ["marta@xmess.cat"]\n',
            "  clau «(arrel)»: notify_to necessita el servidor de correu: smtp.host i "
            "smtp.from_address",
        ),
        (
            'notify_to = ["marta.xmess.cat"]\n',
            "  clau «notify_to»: «marta.xmess.cat» no és una adreça de correu",
        ),
        (
            '[web]\npublic_url = "bot.xmess.cat"\n',
            "  clau «web.public_url»: «bot.xmess.cat» no és una adreça http(s) vàlida",
        ),
    ],
)
def test_mail_settings_are_checked_when_read(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "xmess.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert str(raised.value).splitlines()[-1].removeprefix(f"{path}: ") == message


def test_the_public_url_loses_its_trailing_slash(tmp_path: Path) -> None:
    path = tmp_path / "xmess.toml"
    path.write_text('[web]\npublic_url = "https://bot.xmess.cat/"\n', encoding="utf-8")
    assert load_settings(path).web.public_url == "https://bot.xmess.cat"
