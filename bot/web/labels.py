"""The Catalan words the page shows for the bot's values (kinds, roles, problems, sources);
the catalogues translate these words like any other text of the page."""

from __future__ import annotations

LABELS_CA: dict[str, str] = {
    "news": "notícia",
    "event": "acte",
    "manual": "escrita pel grup",
    "reminder": "recordatori",
    "cancellation": "cancel·lació",
    "digest": "resum",
    "correction": "correcció",
    "viewer": "lector",
    "editor": "editor",
    "admin": "administrador",
    "credentials": "credencials refusades",
    "rate-limit": "límit de peticions",
    "daily-limit": "límit diari d'X",
    "budget": "pressupost",
    "replies-refused": "respostes refusades",
    "feed": "canal",
    "calendar": "calendari",
    # what each history entry did
    "create": "creat",
    "approve": "aprovat",
    "first-approval": "primera aprovació",
    "edit": "editat",
    "note": "nota",
    "alt-text": "text alternatiu",
    "reject": "rebutjat",
    "reschedule": "hora canviada",
    "requeue": "tornat a la cua",
    "found": "trobat a X",
    "claim": "publicant-se",
    "publish": "publicat",
    "publish-failed": "ha fallat",
    "retract": "esborrat de la xarxa",
    "expire": "caducat",
    "withdraw": "retirat",
    "correct": "correcció redactada",
    "event-moved": "l'acte ha canviat",
    "blocked": "aturat per les credencials",
    "deferred": "ajornat per un límit d'X",
    "needs-check": "cal comprovar-ho a X",
    "reconcile": "trobat publicat",
    "resume": "el fil continua",
    "retry": "es tornarà a provar",
    "unclaim": "no s'havia publicat",
}


def label_ca(value: str) -> str:
    """The Catalan word for a value; the value itself when it has none."""
    return LABELS_CA.get(value, value)
