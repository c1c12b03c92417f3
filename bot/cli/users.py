"""`xmess-bot users`: the web page's accounts."""

from __future__ import annotations

import sys

import click

from bot.accounts import Role, User, check_name, hash_password
from bot.cli.base import Context, main, pass_context
from bot.store.accounts import accounts_for


@main.group()
def users() -> None:
    """Els comptes de la pàgina web."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option(
    "--password-stdin", is_flag=True, help="Llegeix la contrasenya de l'entrada (per a scripts)."
)
@pass_context
def users_add(context: Context, name: str, role: str, password_stdin: bool) -> None:
    """Afegeix una persona (la contrasenya es demana, o es llegeix amb --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Contrasenya", hide_input=True, confirmation_prompt=True)
    app = context.app(None)
    user = User(check_name(name), Role(role), hash_password(password), app.clock.now())
    accounts_for(app.store).add(user)
    click.echo(f"Usuari «{user.name}» afegit ({role}).")


@users.command("list")
@pass_context
def users_list(context: Context) -> None:
    """Les persones amb accés i el seu rol."""
    for user in accounts_for(context.app(None).store).all():
        click.echo(f"{user.name}\t{user.role.value}\t{user.language}")


@users.command("remove")
@click.argument("name")
@pass_context
def users_remove(context: Context, name: str) -> None:
    """Treu l'accés a una persona (el seu nom es queda a l'historial)."""
    accounts_for(context.app(None).store).remove(name)
    click.echo(f"Usuari «{name}» eliminat.")
