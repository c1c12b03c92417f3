"""`xmess-bot demo`: the bundled demo feeds and agenda, polled, then the bot running on them."""

from __future__ import annotations

from pathlib import Path

import click

from bot.app import build_app
from bot.cli.base import main, now_option, parse_moment, program_name
from bot.cli.output import draft_line
from bot.clock import FixedClock, SystemClock
from bot.demo.run import (
    DEMO_PASSWORD,
    DEMO_TIMEZONE,
    DEMO_USER,
    DemoRun,
    demo_sources,
    ensure_demo_account,
    poll_demo,
)
from bot.settings import load_settings


@main.command()
@click.option("--dir", "workdir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("xmess-demo"), show_default=True,
              help="Carpeta de la demo (configuració, base de dades, safata).")  # fmt: skip
@click.option("--port", type=int, default=0, help="Port del servidor local de la demo.")
@click.option("--web-port", type=int, default=8000, show_default=True, help="Port de la web.")
@click.option("--once", is_flag=True, help="Només llegeix els canals un cop i acaba.")
@now_option
def demo(workdir: Path, port: int, web_port: int, once: bool, now: str | None) -> None:
    """Prova-ho tot amb dades de mostra: canals i agenda servits en local, sense publicar res."""
    clock = FixedClock(parse_moment(now, DEMO_TIMEZONE)) if now else SystemClock()
    with demo_sources(workdir, port=port, now=clock.now()) as config:
        settings = load_settings(config)
        app = build_app(settings, clock)
        _print_demo(poll_demo(app, config))
        if once or now:  # a fixed --now cannot drive a live bot
            return
        _print_demo_web(web_port, ensure_demo_account(app))
        from bot.runner import run as run_forever

        run_forever(settings, "127.0.0.1", web_port)


def _print_demo(done: DemoRun) -> None:
    cli = f"{program_name()} --config {done.config}"
    click.echo(done.report.describe())
    click.echo(f"\nEsborranys pendents d'aprovació: {len(done.waiting)}.")
    for draft in done.waiting:
        click.echo(draft_line(draft, DEMO_TIMEZONE))
    click.echo(
        "\nDes d'un altre terminal podeu provar:\n"
        f"  {cli} queue list\n"
        f"  {cli} queue show 1\n"
        f'  {cli} queue approve 1 --by "El vostre nom"\n'
        f"  cat {done.outbox}\n"
        "\nLa demo no publica res: el publicador de prova escriu a la safata (outbox)."
    )


def _print_demo_web(port: int, new_account: bool) -> None:
    made = "creat ara" if new_account else "ja existia"
    click.echo(
        f"\nPàgina web: http://127.0.0.1:{port}/  (usuari «{DEMO_USER}», contrasenya "
        f"«{DEMO_PASSWORD}», {made})\n"
        "El bot continua: llegeix els canals cada 20 minuts i publica a la safata el que\n"
        "aproveu quan arriba la seva hora. Atureu-lo amb Ctrl-C."
    )
