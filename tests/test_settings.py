from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import config_path, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "xmess.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_key_is_named_with_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[relevance]\nmax_age_dayz = 3\n")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value) == (
        f"{path}: la configuració té 1 error(s):\n"
        "  clau «relevance.max_age_dayz»: clau desconeguda (mira la taula de claus del README)"
    )


@pytest.mark.parametrize(
    ("toml", "key", "message"),
    [
        ('timezone = "Europe/Madird"', "timezone", "no és una zona horària coneguda"),
        ('[[members]]\nname = "Olot"\nfeeds = ["olot.cat/rss"]', "members.0.feeds", "http(s)"),
        (
            '[[calendars]]\nname = "Agenda"\nurl = "javascript:alert(1)"',
            "calendars.0.url",
            "http(s)",
        ),
        ('[relevance]\nmax_age_days = "set"', "relevance.max_age_days", "integer"),
        ('[publisher]\nkind = "mastodon"', "publisher.kind", "dry-run"),
    ],
)
def test_a_wrong_value_names_the_key(tmp_path: Path, toml: str, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, toml))
    assert f"clau «{key}»" in str(error.value)
    assert message in str(error.value)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "timezone = \n")
    with pytest.raises(ConfigError, match=f"{path}: el TOML no és vàlid"):
        load_settings(path)


def test_a_missing_file_says_how_to_give_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--config o XMESS_CONFIG"):
        load_settings(tmp_path / "absent.toml")


@pytest.mark.sqlite_only  # the PostgreSQL pass sets XMESS_DATABASE_URL
def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""))
    assert settings.resolved_database_url == f"sqlite:///{tmp_path}/var/xmess.sqlite3"
    assert settings.resolve(settings.publisher.outbox) == tmp_path / "var/outbox.jsonl"


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XMESS_RELEVANCE__MAX_AGE_DAYS", "3")
    settings = load_settings(write(tmp_path, "[relevance]\nmax_age_days = 10\n"))
    assert settings.relevance.max_age_days == 3


def test_the_handle_is_kept_without_its_at_sign(tmp_path: Path) -> None:
    path = write(tmp_path, '[[members]]\nname = "Igualada"\nx_handle = "@AjIgualada"\n')
    assert load_settings(path).members[0].x_handle == "AjIgualada"


def test_config_path_prefers_the_option_then_the_environment() -> None:
    assert config_path(Path("a.toml"), {"XMESS_CONFIG": "b.toml"}) == Path("a.toml")
    assert config_path(None, {"XMESS_CONFIG": "b.toml"}) == Path("b.toml")
    assert config_path(None, {}) == Path("xmess.toml")


def test_a_blackout_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[[blackouts]]\nstart = 2027-05-28\nend = 2027-05-01\nreason = "x"\n')
    with pytest.raises(ConfigError, match=r"clau «blackouts\.0»: el període acaba"):
        load_settings(path)
