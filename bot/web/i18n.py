"""The page's languages: Catalan is the source text; Spanish and English come from gettext
catalogues (`locale/<lang>/LC_MESSAGES/messages.po`), compiled in memory with Babel when the
page starts, so no compiled `.mo` file is kept in the repository."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.accounts import LANGUAGES

LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "ca"

Gettext = Callable[[str], str]


def load_catalogues(folder: Path = LOCALE_DIR) -> Mapping[str, Gettext]:
    """A gettext function for each language; a missing translation shows the Catalan text."""
    found: dict[str, Gettext] = {SOURCE_LANGUAGE: lambda message: message}
    for language in LANGUAGES:
        if language != SOURCE_LANGUAGE:
            found[language] = _compiled(folder / language / "LC_MESSAGES" / "messages.po").gettext
    return found


def _compiled(po_file: Path) -> Translations:
    with po_file.open("rb") as source:
        catalogue = read_po(source)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)
