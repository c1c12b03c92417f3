"""`xmess-bot users`: the accounts of the web page, made from the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli import main


def users(tmp_path: Path, *args: str, stdin: str = "") -> tuple[int, str]:
    config = tmp_path / "xmess.toml"
    config.write_text('database_url = "sqlite:///xmess.sqlite3"\nslots_file = ""\n')
    done = CliRunner().invoke(
        main, ["users", *args], env={"XMESS_CONFIG": str(config)}, input=stdin
    )
    return done.exit_code, done.output


def test_add_with_the_password_on_stdin_then_list_and_remove(tmp_path: Path) -> None:
    added = users(tmp_path, "add", "anna", "--role", "editor", "--password-stdin",
                  stdin="una contrasenya llarga\n")  # fmt: skip
    assert added == (0, "Usuari «anna» afegit (editor).\n")
    assert users(tmp_path, "list") == (0, "anna\teditor\tca\n")
    assert users(tmp_path, "remove", "anna") == (0, "Usuari «anna» eliminat.\n")
    assert users(tmp_path, "list") == (0, "")


def test_a_short_password_is_refused(tmp_path: Path) -> None:
    code, output = users(
        tmp_path, "add", "anna", "--role", "admin", "--password-stdin", stdin="curta\n"
    )
    assert (code, output) == (1, "Error: la contrasenya ha de tenir com a mínim 10 caràcters\n")


def test_a_name_taken_twice_is_refused(tmp_path: Path) -> None:
    for _ in range(2):
        code, output = users(tmp_path, "add", "anna", "--role", "viewer", "--password-stdin",
                             stdin="una contrasenya llarga\n")  # fmt: skip
    assert (code, output) == (1, "Error: ja hi ha un usuari «anna»\n")
