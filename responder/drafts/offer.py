"""What a pitch or a recruiter offered, as a short phrase a decline can name.

`extract_offer(text, label=)` looks for the usual shapes of an offer in English, German, French
and Spanish ("our SEO services", "we help SaaS founders book more demos", "a Senior Data Engineer
role at Acme", "Stelle als Backend-Entwickler", "nos services de référencement", "puesto de
Analista de Datos en Acme") and returns an `Offer` whose `phrase` is ready to drop into a sentence
of the same language ("your SEO services", "the Senior Data Engineer role at Acme").

The phrase comes from untrusted text, so it is kept short (at most `MAX_WORDS` words), free of
links, e-mail addresses, digits-only tokens, quotes and markup; anything else yields no offer and
the decline falls back to a general phrase (`general_phrase`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from responder.taxonomy import Label

MAX_WORDS = 7
MAX_CHARS = 70

_ROLE_NOUNS = (
    r"engineer|developer|manager|designer|scientist|analyst|architect|lead|director|consultant|"
    r"specialist|officer|administrator|recruiter|product owner|scrum master|cto|cfo|ceo|"
    r"entwickler(?:in)?|ingenieur(?:in)?|berater(?:in)?|leiter(?:in)?|referent(?:in)?|"
    r"développeur(?:se)?|ingénieur(?:e)?|chef de projet|responsable [\w-]+|directeur(?:rice)?|"
    r"desarrollador(?:a)?|ingenier[oa]|analista|gerente|jef[ea] de [\w-]+|arquitect[oa]|"
    r"consultor(?:a)?"
)
_TITLE = (
    rf"(?P<role>(?:[\w+#./-]+\s+){{0,4}}?(?:[\w+#./]+-)?(?:{_ROLE_NOUNS})"
    r"(?:\s+(?:de|of)\s+[A-ZÀ-Ý][\w-]+)?)(?:\s*\((?:m/w/d|w/m/d|f/h|h/f)\))?"
)
_ORG = r"(?P<org>[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*(?=\s*(?:[.,;:!?)\n]|$)))?)"
_CHUNK = r"(?P<what>[^\n.,;:!?()\"“”<>]{3,60}?)"
_END = (
    r"(?=\s*(?:[.,;:!?()\n]|$)|\s(?:and|und|et|y|to|for|für|pour|para|with|mit|avec|con|vous|"
    r"nous|qui|que|le|la|les|lo|los|las|les|sie|ihnen|you|your|that|which|who|get|gets|will|"
    r"can|bringen|helfen|werden|sind|est|sont|es|son)\b)"
)


@dataclass(frozen=True)
class Offer:
    kind: str  # "service" | "product" | "role"
    what: str  # the offered thing as the sender named it ("SEO services", "Data Engineer")
    phrase: str  # ready for a sentence in `language` ("your SEO services")
    language: str


#: (language, kind, pattern, phrase format); the first match wins.
_PATTERNS: list[tuple[str, str, re.Pattern[str], str]] = [
    # --- roles ---
    (
        "en",
        "role",
        re.compile(
            rf"\b(?:an?|the|our)\s+{_TITLE}\s+(?:role|position|opening|opportunity|job)(?:\s+(?:at|with)\s+{_ORG})?",
            re.I,
        ),
        "the {role} role{at}",
    ),  # noqa: E501
    (
        "en",
        "role",
        re.compile(
            rf"\b(?:hiring|looking for|recruiting)\s+(?:an?|our)?\s*{_TITLE}(?:\s+(?:at|for|with)\s+{_ORG})?",
            re.I,
        ),
        "the {role} role{at}",
    ),  # noqa: E501
    (
        "de",
        "role",
        re.compile(
            rf"\b(?:Stelle|Position|Rolle|Job)\s+(?:als|eines|einer)\s+{_TITLE}(?:\s+(?:bei|für)\s+{_ORG})?",
            re.I,
        ),
        "die Stelle als {role}{at}",
    ),  # noqa: E501
    (
        "fr",
        "role",
        re.compile(
            rf"\b(?:poste|mission|opportunité)\s+(?:de|d'|d’|en tant que)\s*{_TITLE}(?:\s+(?:chez|pour)\s+{_ORG})?",
            re.I,
        ),
        "le poste de {role}{at}",
    ),  # noqa: E501
    (
        "es",
        "role",
        re.compile(
            rf"\b(?:puesto|posición|vacante|rol)\s+(?:de|como)\s+{_TITLE}(?:\s+(?:en|para)\s+{_ORG})?",
            re.I,
        ),
        "el puesto de {role}{at}",
    ),  # noqa: E501
    # --- services and products ---
    (
        "en",
        "service",
        re.compile(
            rf"\bour\s+{_CHUNK}\s+(?P<noun>services?|solutions?|agency|platform|software|tool|app|program(?:me)?|package)\b",
            re.I,
        ),
        "your {what} {noun}",
    ),  # noqa: E501
    ("en", "service", re.compile(rf"\bwe\s+help\s+{_CHUNK}{_END}", re.I), "helping {what}"),
    (
        "en",
        "product",
        re.compile(
            r"\bour\s+(?P<what>[\w-]+(?:\s+[\w-]+){0,3}?)\s+(?:helps|lets|allows|enables|gets|makes)\b",
            re.I,
        ),
        "your {what}",
    ),  # noqa: E501
    (
        "en",
        "service",
        re.compile(
            rf"\bwe\s+(?:offer|provide|specialize in|specialise in|do)\s+{_CHUNK}{_END}", re.I
        ),
        "your offer of {what}",
    ),  # noqa: E501
    (
        "en",
        "service",
        re.compile(
            rf"\b(?:an?\s+)?(?:agency|company|firm|consultancy)\s+(?:for|specializing in|specialising in|focused on)\s+{_CHUNK}{_END}",
            re.I,
        ),
        "your {what} services",
    ),  # noqa: E501
    (
        "de",
        "service",
        re.compile(
            r"\bunsere[nmr]?\s+(?P<what>[^\n.,;:!?()\"“”<>]{0,40}?(?:Dienstleistungen|Leistungen|Lösungen|Lösung|Plattform|Software|Beratung))\b",
            re.I,
        ),
        "Ihr Angebot rund um {what}",
    ),  # noqa: E501
    (
        "de",
        "service",
        re.compile(rf"\b(?:Agentur|Firma|Unternehmen|Spezialisten)\s+für\s+{_CHUNK}{_END}", re.I),
        "Ihr Angebot rund um {what}",
    ),  # noqa: E501
    (
        "de",
        "service",
        re.compile(rf"\bwir\s+(?:bieten|liefern)\s+(?:Ihnen\s+)?{_CHUNK}(?:\s+an)?{_END}", re.I),
        "Ihr Angebot rund um {what}",
    ),  # noqa: E501
    (
        "fr",
        "service",
        re.compile(
            rf"\bnos\s+(?:services|prestations|solutions)\s+(?:de|d'|d’|en)\s*{_CHUNK}{_END}", re.I
        ),
        "vos services de {what}",
    ),  # noqa: E501
    (
        "fr",
        "service",
        re.compile(
            rf"\bnotre\s+(?:solution|plateforme|agence|offre|logiciel)\s+(?:de|d'|d’|pour)\s*{_CHUNK}{_END}",
            re.I,
        ),
        "votre offre de {what}",
    ),  # noqa: E501
    (
        "fr",
        "service",
        re.compile(rf"\bagence\s+(?:de|spécialisée (?:en|dans))\s+{_CHUNK}{_END}", re.I),
        "vos services de {what}",
    ),  # noqa: E501
    (
        "es",
        "service",
        re.compile(rf"\bnuestros\s+servicios\s+de\s+{_CHUNK}{_END}", re.I),
        "sus servicios de {what}",
    ),  # noqa: E501
    (
        "es",
        "service",
        re.compile(
            rf"\bnuestra\s+(?:solución|plataforma|agencia|propuesta|herramienta)\s+(?:de|para)\s+{_CHUNK}{_END}",
            re.I,
        ),
        "su propuesta de {what}",
    ),  # noqa: E501
    (
        "es",
        "service",
        re.compile(rf"\bagencia\s+(?:de|especializada en)\s+{_CHUNK}{_END}", re.I),
        "sus servicios de {what}",
    ),  # noqa: E501
    # --- broader shapes, tried after the precise ones above ---
    (
        "en",
        "role",
        re.compile(
            rf"\b(?:for|need|needs|seeking|searching for|requirement for)\s+(?:an?\s+)?(?:experienced\s+|seasoned\s+)?{_TITLE}(?:\s+(?:at|with)\s+{_ORG})?",
            re.I,
        ),
        "the {role} role{at}",
    ),  # noqa: E501
    (
        "de",
        "role",
        re.compile(rf"\b(?:suchen|suche)\s+(?:wir\s+|ich\s+)?(?:eine[nr]?\s+)?{_TITLE}", re.I),
        "die Stelle als {role}",
    ),
    (
        "fr",
        "role",
        re.compile(rf"\b(?:recherch\w*|recrut\w*)\s+(?:un|une)\s+{_TITLE}", re.I),
        "le poste de {role}",
    ),
    (
        "es",
        "role",
        re.compile(rf"\b(?:buscamos|busco|buscando)\s+(?:a\s+)?(?:un|una)\s+{_TITLE}", re.I),
        "el puesto de {role}",
    ),
    (
        "en",
        "service",
        re.compile(
            rf"\bwe(?:'re| are)\s+(?:offering|providing|specialising in|specializing in)\s+{_CHUNK}{_END}",
            re.I,
        ),
        "your offer of {what}",
    ),  # noqa: E501
    (
        "en",
        "service",
        re.compile(
            r"\bI(?:'m| am)\s+an?\s+(?P<what>(?:[\w-]+\s+){0,2}?(?:coach|consultant|CMO|CFO|CTO|COO|designer|strategist|advisor|adviser|copywriter|photographer|videographer|trainer|agency|developer))\b",
            re.I,
        ),
        "your {what} services",
    ),  # noqa: E501
    (
        "en",
        "service",
        re.compile(
            rf"\b(?:we|I)\s+(?:automate|build|run|manage|handle|deliver|create|produce|design|write)\s+{_CHUNK}{_END}",
            re.I,
        ),
        "your offer to handle {what}",
    ),  # noqa: E501
    (
        "en",
        "service",
        re.compile(rf"\b(?:I|we)\s+(?:help|work with)\s+{_CHUNK}{_END}", re.I),
        "helping {what}",
    ),
]

#: The phrase when nothing specific was found: (label kind, language) -> phrase.
_GENERAL = {
    ("service", "en"): "your offer",
    ("service", "de"): "Ihr Angebot",
    ("service", "fr"): "votre proposition",
    ("service", "es"): "su propuesta",
    ("role", "en"): "the role you described",
    ("role", "de"): "die beschriebene Stelle",
    ("role", "fr"): "le poste que vous proposez",
    ("role", "es"): "el puesto que me propone",
}
_BAD = re.compile(r"https?:|www\.|@|\{|\}|<|>|\[|\]|`|\*|_{2}|\d{3,}", re.I)
#: Sales adjectives a decline should not repeat ("the exciting Director role" -> "the Director role").
_HYPE = re.compile(
    r"^(?:(?:exciting|amazing|great|fantastic|unique|interesting|incredible)\s+)+", re.I
)
_STOP = re.compile(r"^(?:you|your|yours|me|my|us|i|the|a|an|this|that|it)$", re.I)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip(" -–—'’\"")


def _plausible(part: str) -> bool:
    words = part.split()
    return (
        0 < len(words) <= MAX_WORDS
        and len(part) <= MAX_CHARS
        and not _BAD.search(part)
        and not _STOP.match(words[0])
    )


def extract_offer(text: str, *, label: str) -> Offer | None:
    """The offer in `text` (a pitch or a recruiter's message), or None when none is plain."""
    want = "role" if label == Label.RECRUITING else "service"
    body = (text or "")[:4000]
    for language, kind, pattern, fmt in _PATTERNS:
        if (kind == "role") != (want == "role"):
            continue
        for match in pattern.finditer(body):
            groups = {k: _clean(v or "") for k, v in match.groupdict().items()}
            main = _HYPE.sub("", groups.get("role") or groups.get("what") or "")
            if not _plausible(main):
                continue
            org = groups.get("org", "")
            at = ""
            if org and org[0].isupper() and _plausible(org):  # patterns are case-blind
                at = {"en": " at ", "de": " bei ", "fr": " chez ", "es": " en "}[language] + org
            noun = groups.get("noun", "")
            phrase = fmt.format(
                role=main, what=main, noun=noun.lower() if language != "de" else noun, at=at
            )
            return Offer(kind=kind, what=main, phrase=_clean(phrase), language=language)
    return None


def general_phrase(*, label: str, language: str) -> str:
    """What a decline names when the offer could not be told ("your offer")."""
    kind = "role" if label == Label.RECRUITING else "service"
    return _GENERAL.get((kind, language), _GENERAL[(kind, "en")])


def offer_phrase(text: str, *, label: str, language: str) -> tuple[str, Offer | None]:
    """(phrase for a decline in `language`, the specific offer or None). A specific offer in
    another language than the draft's is not used (its phrase would mix languages)."""
    offer = extract_offer(text, label=label)
    if offer is not None and offer.language == language:
        return offer.phrase, offer
    return general_phrase(label=label, language=language), None


_OFFER_FILLER = frozenset(
    [
        "and",
        "the",
        "for",
        "with",
        "our",
        "your",
        "their",
        "of",
        "to",
        "in",
        "on",
        "at",
        "a",
        "an",
        "und",
        "der",
        "die",
        "das",
        "für",
        "mit",
        "de",
        "des",
        "du",
        "la",
        "le",
        "les",
        "et",
        "pour",
        "en",
        "el",
        "los",
        "las",
        "y",
        "con",
        "del",
    ]
)


def names_offer(text: str, offer: str) -> bool:
    """True when the draft mentions the offer: one of its words (3+ letters, not filler) or, for
    compound names, a word that shares its 5-letter stem ("SEO-Dienstleistungen")."""
    words = {w for w in re.findall(r"[^\W\d_]{3,}", offer.casefold()) if w not in _OFFER_FILLER}
    have = set(re.findall(r"[^\W\d_]{3,}", text.casefold()))
    if not words or words & have:
        return True
    stems = {w[:5] for w in words if len(w) >= 5}
    return any(h[:5] in stems for h in have if len(h) >= 5)
