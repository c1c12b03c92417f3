"""Configuration: a TOML file plus `XMESS_…` environment variables, read once and passed down.

The file comes from `--config PATH`, else `XMESS_CONFIG`, else `./xmess.toml`. Environment
variables override the file (prefix `XMESS_`, `__` between nested keys, e.g.
`XMESS_PUBLISHER__KIND`); secrets belong there, not in the file. Relative paths in the file
(database, outbox, templates) are relative to the file's folder, so a config works from any
working directory. Every problem becomes one `ConfigError` naming the key and the file.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.cost import Prices
from bot.errors import ConfigError
from bot.models import Blackout
from bot.reminders import DEFAULT_ALL_DAY_TIME, DEFAULT_OFFSETS, Offset, parse_offset
from bot.slots import SlotRules

DEFAULT_CONFIG_PATH = Path("xmess.toml")
BUNDLED_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
BUNDLED_SLOTS = Path(__file__).resolve().parents[1] / "schedules" / "slots.toml"
BUNDLED_JOBS = Path(__file__).resolve().parents[1] / "schedules" / "jobs.toml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
APOSTROPHES = {"typographic": "’", "straight": "'"}
DEFAULT_DIGEST_TIME = time(9, 0)
ClockTime = time
"""`time` under another name, for the `[digest] time` key that would shadow it."""


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"«{value}» no és una adreça http(s) vàlida")
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublisherSettings(_Section):
    kind: Literal["dry-run", "x"] = "dry-run"
    outbox: Path = Path("var/outbox.jsonl")


X_SECRETS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


class XSettings(_Section):
    """X's OAuth 1.0a user credentials come only from the environment (`XMESS_X__…`)."""

    api_base_url: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_token_secret: SecretStr | None = None

    _base = field_validator("api_base_url")(
        lambda url: None if url is None else _check_http_url(url)
    )

    def missing_secrets(self) -> list[str]:
        return [f"XMESS_X__{name.upper()}" for name in X_SECRETS if getattr(self, name) is None]


class RelevanceSettings(_Section):
    keywords: list[str] = Field(default_factory=lambda: ["economia social", "cooperativa", "ESS"])
    max_age_days: int = Field(default=7, ge=0)


class FetchSettings(_Section):
    timeout_seconds: float = Field(default=15.0, gt=0)
    max_concurrency: int = Field(default=256, ge=1, le=1024)
    max_body_mib: float = Field(default=5.0, gt=0)


class MemberSettings(_Section):
    name: str = Field(min_length=1)
    x_handle: str | None = None
    feeds: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

    _urls = field_validator("feeds")(lambda urls: [_check_http_url(u) for u in urls])

    @field_validator("x_handle")
    @classmethod
    def _handle_without_at(cls, value: str | None) -> str | None:
        return value.lstrip("@") if value else None


class CalendarSettings(_Section):
    name: str = Field(min_length=1)
    url: str
    lookahead_days: int = Field(default=60, ge=1, le=3660)
    announce_days: int = Field(default=30, ge=0)

    _url = field_validator("url")(_check_http_url)


class CostSettings(_Section):
    """X's price per request (USD, 2026) and the month's budget; None means no budget."""

    currency: str = "USD"
    post: float = Field(default=0.015, ge=0)
    post_with_link: float = Field(default=0.20, ge=0)
    monthly_budget: float | None = Field(default=None, ge=0)

    def prices(self) -> Prices:
        return Prices(self.post, self.post_with_link, self.monthly_budget, self.currency)


class BlackoutSettings(_Section):
    start: date
    end: date
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> BlackoutSettings:
        if self.end < self.start:
            raise ValueError(f"el període acaba ({self.end}) abans de començar ({self.start})")
        return self

    def value(self) -> Blackout:
        return Blackout(self.start, self.end, self.reason)


class ReminderOverride(_Section):
    """Other offsets for one calendar's or one category's events; the first match wins."""

    calendar: str | None = None
    category: str | None = None
    offsets: list[str]

    _offsets = field_validator("offsets")(lambda offsets: _check_offsets(offsets))

    @model_validator(mode="after")
    def _names_one(self) -> ReminderOverride:
        if (self.calendar is None) == (self.category is None):
            raise ValueError("cada excepció indica «calendar» o «category» (una de les dues)")
        return self

    def matches(self, calendar: str, categories: tuple[str, ...]) -> bool:
        if self.calendar is not None:
            return self.calendar == calendar
        wanted = (self.category or "").casefold()
        return any(category.casefold() == wanted for category in categories)


def _check_offsets(offsets: list[str]) -> list[str]:
    for offset in offsets:
        parse_offset(offset)
    return offsets


class ReminderSettings(_Section):
    """Reminders before each event occurrence; see the README's "Event reminders"."""

    offsets: list[str] = Field(default_factory=lambda: list(DEFAULT_OFFSETS))
    all_day_time: time = DEFAULT_ALL_DAY_TIME
    lookahead_days: int = Field(default=14, ge=0)
    min_notice_hours: float = Field(default=2.0, ge=0)
    late_minutes: int = Field(default=30, ge=0)
    overrides: list[ReminderOverride] = Field(default_factory=list)

    _offsets = field_validator("offsets")(lambda offsets: _check_offsets(offsets))

    def offsets_for(self, calendar: str, categories: tuple[str, ...]) -> list[Offset]:
        chosen = next((o.offsets for o in self.overrides if o.matches(calendar, categories)), None)
        return [parse_offset(text) for text in (self.offsets if chosen is None else chosen)]


class DigestSettings(_Section):
    """The weekly digest of member news; see the README's "Weekly digest"."""

    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    time: ClockTime = DEFAULT_DIGEST_TIME
    ranking: Literal["recent", "busiest"] = "recent"
    mode: Literal["thread", "link"] = "thread"


class SmtpSettings(_Section):
    """The mail server for the e-mails to the editors (unused while `host` is unset); the
    password comes only from the environment (`XMESS_SMTP__PASSWORD`)."""

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    from_address: str | None = None
    starttls: bool = True
    timeout_seconds: float = Field(default=15.0, gt=0)


class WebSettings(_Section):
    """The approval page. `secret_key` signs the session cookie: set it (from the environment,
    `XMESS_WEB__SECRET_KEY`) when several replicas serve the page; unset, one is generated
    once and kept in the database."""

    secret_key: SecretStr | None = None
    public_url: str | None = None
    """The page's public address as the group reaches it, for links in e-mails and the
    digest's page."""
    approvals_required: int = Field(default=1, ge=1, le=2)
    member_daily_limit: int | None = Field(default=None, ge=1)

    _url = field_validator("public_url")(
        lambda url: None if url is None else _check_http_url(url).rstrip("/")
    )

    @property
    def https(self) -> bool:
        """Served over HTTPS (behind a proxy too): the session cookie is then `Secure`."""
        return (self.public_url or "").startswith("https://")


class Settings(BaseSettings):
    """Every key is documented in the README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix="XMESS_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    timezone: str = "Europe/Madrid"
    database_url: str = "sqlite:///var/xmess.sqlite3"
    apostrophe: Literal["typographic", "straight"] = "typographic"
    hashtags: list[str] = Field(default_factory=lambda: ["#EconomiaSocial"])
    templates_dir: Path = BUNDLED_TEMPLATES
    slots_file: str = str(BUNDLED_SLOTS)
    jobs_file: Path = BUNDLED_JOBS
    publisher: PublisherSettings = PublisherSettings()
    x: XSettings = XSettings()
    relevance: RelevanceSettings = RelevanceSettings()
    fetch: FetchSettings = FetchSettings()
    members: list[MemberSettings] = Field(default_factory=list)
    calendars: list[CalendarSettings] = Field(default_factory=list)
    blackouts: list[BlackoutSettings] = Field(default_factory=list)
    cost: CostSettings = CostSettings()
    reminders: ReminderSettings = ReminderSettings()
    digest: DigestSettings = DigestSettings()
    web: WebSettings = WebSettings()
    smtp: SmtpSettings = SmtpSettings()
    notify_to: list[str] = Field(default_factory=list)
    config_dir: Path = Path(".")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"«{value}» no és una zona horària coneguda (p. ex. Europe/Madrid)"
            ) from None
        return value

    @field_validator("notify_to")
    @classmethod
    def _addresses(cls, addresses: list[str]) -> list[str]:
        for address in addresses:
            if "@" not in address.strip("@"):
                raise ValueError(f"«{address}» no és una adreça de correu")
        return addresses

    @model_validator(mode="after")
    def _mail_server_for_notices(self) -> Settings:
        if self.notify_to and not (self.smtp.host and self.smtp.from_address):
            raise ValueError(
                "notify_to necessita el servidor de correu: smtp.host i smtp.from_address"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment overrides the file (the file arrives as init arguments)."""
        return (env_settings, init_settings)

    @model_validator(mode="after")
    def _link_mode_has_a_page(self) -> Settings:
        if self.digest.mode == "link" and self.web.public_url is None:
            raise ValueError(
                "digest.mode = «link» necessita web.public_url (l'adreça pública de la pàgina)"
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def apostrophe_char(self) -> str:
        return APOSTROPHES[self.apostrophe]

    def resolve(self, path: Path) -> Path:
        """A path from the config, relative to the config file's folder."""
        return path if path.is_absolute() else self.config_dir / path

    @property
    def resolved_database_url(self) -> str:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            return prefix + str(self.resolve(Path(self.database_url.removeprefix(prefix))))
        return self.database_url

    def keywords_for(self, member: MemberSettings) -> list[str]:
        return [*self.relevance.keywords, *member.keywords]

    def member_of_feed(self) -> dict[str, MemberSettings]:
        return {url: member for member in self.members for url in member.feeds}


class SlotSettings(_Section):
    """`schedules/slots.toml`; see the comments in the bundled file."""

    min_gap_minutes: int = Field(default=0, ge=0)
    quiet_hours: tuple[time, time] | None = None
    daily_cap: int | None = Field(default=None, ge=1)
    monthly_cap: int | None = Field(default=None, ge=1)
    weekdays: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[time]] = Field(
        default_factory=dict
    )

    def rules(self, zone: ZoneInfo) -> SlotRules:
        return SlotRules(
            zone=zone,
            times={WEEKDAYS.index(day): tuple(sorted(at)) for day, at in self.weekdays.items()},
            min_gap=timedelta(minutes=self.min_gap_minutes),
            quiet=self.quiet_hours,
            daily_cap=self.daily_cap,
            monthly_cap=self.monthly_cap,
        )


def load_slots(settings: Settings) -> SlotRules | None:
    """The posting slots, or None when `slots_file = ""`: then an approved draft goes out as
    soon as possible and nothing is capped."""
    if not settings.slots_file:
        return None
    path = settings.resolve(Path(settings.slots_file))
    try:
        return SlotSettings(
            **read_toml(path, "les franges s'indiquen amb slots_file o XMESS_SLOTS_FILE")
        ).rules(settings.zone)
    except ValidationError as error:
        raise ConfigError(describe_errors(error, path)) from None


def config_path(given: Path | None, environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if given is not None:
        return given
    return Path(env["XMESS_CONFIG"]) if env.get("XMESS_CONFIG") else DEFAULT_CONFIG_PATH


def load_settings(path: Path) -> Settings:
    """Read and check the whole configuration once; raise one `ConfigError` for any problem."""
    data = _read_config(path)
    try:
        return Settings(**data, config_dir=path.resolve().parent)
    except ValidationError as error:
        raise ConfigError(describe_errors(error, path)) from None


def read_toml(path: Path, hint: str) -> dict[str, Any]:
    """A TOML file of ours; `hint` says where its path is set, for the missing-file error."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no existeix el fitxer ({hint})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: el TOML no és vàlid: {error}") from None


def _read_config(path: Path) -> dict[str, Any]:
    """The config file, refused if it holds what belongs elsewhere (credentials)."""
    data = read_toml(path, "la configuració s'indica amb --config o XMESS_CONFIG")
    if "config_dir" in data:
        raise ConfigError(f"{path}: clau «config_dir»: clau desconeguda")
    secrets = [f"x.{name}" for name in X_SECRETS if name in data.get("x", {})]
    secrets += ["smtp.password"] if "password" in data.get("smtp", {}) else []
    secrets += ["web.secret_key"] if "secret_key" in data.get("web", {}) else []
    if secrets:
        variable = "XMESS_" + secrets[0].upper().replace(".", "__")
        raise ConfigError(
            f"{path}: clau «{secrets[0]}»: les credencials no van al fitxer, sinó a "
            f"l'entorn ({variable})"
        )
    return data


def describe_errors(error: ValidationError, path: Path) -> str:
    lines = [f"{path}: la configuració té {error.error_count()} error(s):"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(arrel)"
        lines.append(f"  clau «{key}»: {_message(item)}")
    return "\n".join(lines)


def _message(item: Any) -> str:
    if item["type"] == "extra_forbidden":
        return "clau desconeguda (mira la taula de claus del README)"
    return str(item["msg"]).removeprefix("Value error, ")
