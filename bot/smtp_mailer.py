"""The `Mailer` over SMTP (`smtplib`): one connection per e-mail, STARTTLS and login as set in
`[smtp]`. The password never appears in an error: only the server's own answer does."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from bot.errors import NotifyError
from bot.ports import OutgoingMail
from bot.settings import SmtpSettings


class SmtpMailer:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, mail: OutgoingMail) -> None:
        """Hand the e-mail to the server; `NotifyError` names the server and its answer."""
        server = f"{self.settings.host}:{self.settings.port}"
        try:
            with smtplib.SMTP(
                self.settings.host or "", self.settings.port, timeout=self.settings.timeout_seconds
            ) as smtp:
                self._greet(smtp)
                smtp.send_message(self._message(mail))
        except smtplib.SMTPAuthenticationError as error:
            raise NotifyError(
                f"el servidor de correu {server} no accepta l'usuari «{self.settings.username}» "
                f"amb la contrasenya de XMESS_SMTP__PASSWORD ({error.smtp_code})"
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            raise NotifyError(
                f"no s'ha pogut enviar l'avís per correu a través de {server}: {error}"
            ) from None

    def _greet(self, smtp: smtplib.SMTP) -> None:
        if self.settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if self.settings.username:
            password = self.settings.password.get_secret_value() if self.settings.password else ""
            smtp.login(self.settings.username, password)

    def _message(self, mail: OutgoingMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.from_address or ""
        message["To"] = ", ".join(mail.to)
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        return message
