"""Synthetic but realistic RSS 2.0 news feeds of Catalan town councils, for benchmarks.

Each feed is a pure function of (index, item count, now, seed), so a server process and the
process that measures parsing can build byte-identical feeds without passing them around.
Items come about one a day over the past `items` days (so with 30 items about a quarter is
within a week), about 20% mention a relevance keyword ("economia social", "cooperativa",
"ESS"), descriptions are escaped HTML of a few hundred characters, links live on the council's
own host and guids are URLs.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from itertools import product
from zoneinfo import ZoneInfo

DEFAULT_SEED = 2024
RELEVANT_SHARE = 0.2
KEYWORDS = ("economia social", "cooperativa", "ESS")
CONTENT_TYPE = "application/rss+xml; charset=utf-8"
LOCAL_TIME = ZoneInfo("Europe/Madrid")

_SAINTS = (
    "Sant Joan", "Sant Pere", "Sant Martí", "Santa Maria", "Sant Vicenç", "Sant Feliu",
    "Sant Andreu", "Santa Coloma", "Sant Quirze", "Sant Esteve", "Sant Llorenç",
    "Santa Eulàlia", "Sant Cugat", "Sant Julià", "Sant Fruitós", "Sant Boi", "Sant Sadurní",
    "Sant Adrià", "Sant Celoni", "Sant Hipòlit",
)  # fmt: skip
_PLACES = (
    "de Vilamajor", "de Llobregat", "del Vallès", "de Ribes", "de Mar", "de Gramenet",
    "de Montbui", "de Cervelló", "de Centelles", "d'Horta", "de Palautordera", "de Codines",
    "de Riu", "de Bages", "de l'Arboç", "d'Urgell", "de Segarra", "de Vinyoles", "de Torelló",
    "del Penedès", "de la Selva", "de l'Empordà", "d'Anoia", "de Foix", "de Solsona",
)  # fmt: skip
_TOWNS = tuple(f"{saint} {place}" for saint, place in product(_SAINTS, _PLACES))
_OPENINGS = (
    "L'Ajuntament presenta", "Obertes les inscripcions per a", "Comença", "S'aprova",
    "Nova edició de", "Es posa en marxa", "Balanç positiu de", "El ple debat",
)  # fmt: skip
_TOPICS = (
    "les obres de millora del carrer Major", "la festa major", "el nou horari de la biblioteca",
    "la recollida de residus porta a porta", "el casal d'estiu", "la campanya de vacunació",
    "el pressupost participatiu", "la renovació de l'enllumenat públic",
    "un nou parc infantil al barri de l'Estació", "la temporada de piscines",
    "el mercat setmanal", "els ajuts al lloguer per a joves", "la fira d'entitats",
    "el servei de bus urbà", "la ruta cultural pel nucli antic", "el concurs de fotografia",
    "la zona de baixes emissions", "el club de lectura", "el pla local de joventut",
    "la jornada de portes obertes de l'escola de música",
)  # fmt: skip
_RELEVANT_TOPICS = (
    "una jornada d'economia social i solidària", "la nova cooperativa d'habitatge",
    "els ajuts a les entitats de l'ESS", "la fira d'economia social del Vallès",
    "una cooperativa de consum de productes de proximitat",
    "el pla municipal d'ESS per al 2025",
)  # fmt: skip
_SENTENCES = (
    "La iniciativa s'adreça a tota la ciutadania i és gratuïta",
    "Les persones interessades poden inscriure's a la seu electrònica fins a final de mes",
    "L'actuació té un pressupost de 120.000 euros i durarà unes sis setmanes",
    "Durant els treballs es desviarà el trànsit pels carrers del voltant",
    "L'alcaldessa ha destacat la participació de les entitats del municipi",
    "El programa inclou tallers, xerrades i activitats per a infants",
    "Els veïns i veïnes podran fer arribar les seves propostes fins al 15 del mes vinent",
    "La regidoria ha agraït la col·laboració dels equips municipals",
    "Es preveu que el servei arribi a més de 3.000 persones durant l'any",
    "L'horari d'atenció serà de dilluns a divendres, de 9 a 14 h",
)  # fmt: skip
_CATEGORIES = ("Actualitat", "Cultura", "Promoció econòmica", "Medi ambient", "Educació")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class CouncilFeed:
    """One council's feed document, with the member settings a bot would configure for it."""

    index: int
    town: str
    handle: str
    body: bytes

    @property
    def path(self) -> str:
        return f"/feeds/{self.index:04d}.xml"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


def council_feeds(
    count: int, items: int, now: datetime, seed: int = DEFAULT_SEED
) -> list[CouncilFeed]:
    """`count` feeds of `items` items each, the newest published just before `now`."""
    return [council_feed(index, items, now, seed) for index in range(count)]


def council_feed(index: int, items: int, now: datetime, seed: int = DEFAULT_SEED) -> CouncilFeed:
    rng = random.Random(f"{seed}:{index}")
    town = town_name(index)
    entries = "".join(_item(rng, town, index, number, now) for number in range(items))
    return CouncilFeed(index, town, handle_of(index), _channel(town, now, entries))


def town_name(index: int) -> str:
    """500 distinct names, then the same names numbered (for benchmarks beyond 500 feeds)."""
    name = _TOWNS[index % len(_TOWNS)]
    return name if index < len(_TOWNS) else f"{name} {index // len(_TOWNS) + 1}"


def handle_of(index: int) -> str:
    """The council's X handle, as a member's `x_handle` (at most 15 characters)."""
    return f"Ajuntament{index:04d}"


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")


def _channel(town: str, now: datetime, entries: str) -> bytes:
    site = f"https://www.{slug(town)}.cat"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{_text(f'Ajuntament de {town}')} - Notícies</title>\n"
        f"<link>{site}/noticies</link>\n"
        f"<description>Notícies de l'Ajuntament de {_text(town)}</description>\n"
        "<language>ca</language>\n"
        f"<lastBuildDate>{_rfc822(now)}</lastBuildDate>\n"
        f'<atom:link href="{site}/rss.xml" rel="self" type="application/rss+xml"/>\n'
        f"{entries}</channel>\n</rss>\n"
    ).encode()


def _item(rng: random.Random, town: str, index: int, number: int, now: datetime) -> str:
    relevant = rng.random() < RELEVANT_SHARE
    topic = rng.choice(_RELEVANT_TOPICS if relevant else _TOPICS)
    in_title = relevant and rng.random() < 0.5
    title = f"{rng.choice(_OPENINGS)} {topic if in_title or not relevant else rng.choice(_TOPICS)}"
    node = 10_000 + index * 1_000 + number
    site = f"https://www.{slug(town)}.cat"
    link = f"{site}/noticies/{slug(title)}-{node}"
    published = now - timedelta(days=number + rng.random())
    return (
        "<item>\n"
        f"<title>{_text(title)}</title>\n"
        f"<link>{link}</link>\n"
        f"<description>{_text(_description(rng, town, topic, link, site, node))}</description>\n"
        f"<category>{_text(rng.choice(_CATEGORIES))}</category>\n"
        f"<pubDate>{_rfc822(published)}</pubDate>\n"
        "<dc:creator>Comunicació</dc:creator>\n"
        f'<guid isPermaLink="false">{site}/node/{node}</guid>\n'
        "</item>\n"
    )


def _description(rng: random.Random, town: str, topic: str, link: str, site: str, node: int) -> str:
    """A few hundred characters of the HTML councils' CMSs write: paragraphs, a link, an image."""
    sentences = ". ".join(rng.sample(_SENTENCES, 2))
    phone = f"93 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    return (
        f"<p>L'Ajuntament de {html.escape(town)} informa sobre {html.escape(topic)}. "
        f"{html.escape(sentences, quote=False)}.</p>\n"
        f"<p>Més informació a l'<a href=\"{link}\">Oficina d'Atenció Ciutadana</a> "
        f"o al telèfon <strong>{phone}</strong>.</p>\n"
        f'<p><img src="{site}/sites/default/files/noticies/{node}.jpg" '
        f'alt="Imatge: {html.escape(topic)}" width="640" height="427"/></p>'
    )


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(LOCAL_TIME).replace(microsecond=0))
