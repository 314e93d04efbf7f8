"""Draft lint: the checks every draft and every edit passes before it may go out unreviewed.

A draft that fails lint is held for review with the reasons (the policy never auto-approves it).
Rules: no links, phone numbers or e-mail addresses except the user's own (a report note may hold
defanged links, never live ones); no unfilled placeholders; no markup; length limits; the language
asked for; a decline makes no commitment; nothing copied from instructions inside the incoming
message; nothing about the assistant's own instructions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from responder.classify.language import detect_language
from responder.classify.signals import defang
from responder.taxonomy import DraftKind

if TYPE_CHECKING:
    from responder.settings import Settings

#: (min, max) characters per draft kind.
LENGTH_LIMITS: dict[str, tuple[int, int]] = {
    DraftKind.DECLINE: (40, 900),
    DraftKind.DECLINE_FIRM: (40, 900),
    DraftKind.REPLY: (20, 1500),
    DraftKind.FOLLOWUP: (20, 1200),
    DraftKind.REPORT_NOTE: (80, 8000),
}
DECLINE_KINDS = frozenset({DraftKind.DECLINE, DraftKind.DECLINE_FIRM})
LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish"}
LANGUAGE_NAMES |= {"it": "Italian", "nl": "Dutch", "pt": "Portuguese"}

_TLDS = (
    "com|net|org|io|co|ai|app|dev|info|biz|xyz|me|ly|gl|to|tk|ml|ga|cf|gq|top|online|site|"
    "link|click|club|live|shop|store|pro|cc|ws|su|ru|cn|de|fr|es|it|nl|uk|us|eu|ch|at|be|pl|"
    "in|br|ng|ke|za|tv|gg|sh|page|zip|mov"
)
URL_RE = re.compile(
    rf"(?:https?://|hxxps?://|www\.)[^\s<>\"']+"
    rf"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})\b(?:/[^\s<>\"']*)?",
    re.I,
)
#: A link that cannot be clicked: hxxp scheme or a bracketed dot.
DEFANGED_RE = re.compile(r"hxxps?://|\[\.\]|\[:\]|\[://\]", re.I)
DEFANGED_HOST_RE = re.compile(r"(?:hxxps?://)?[\w-]+(?:\[\.\][\w-]+)+(?:/[^\s<>\"']*)?", re.I)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)
PHONE_RE = re.compile(r"(?<![\w/.-])(?:\+|00)?\d[\d\s().-]{6,}\d(?![\w/-])")
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
PLACEHOLDER_RE = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\{\s*[A-Za-z_][\w ]{0,30}\}"
    r"|\[\s*(?:your |their |the |sender'?s? |company |first |last |full )?"
    r"(?:name|company|title|role|date|time|link|url|phone|number|e-?mail|signature|position|"
    r"recipient|sender|product|amount|placeholder)\s*\]"
    r"|<\s*(?:name|company|first[ _]?name|signature|recipient|sender|your[ _]name)\s*>"
    r"|\b(?:TODO|TBD|FIXME|XXX+|lorem ipsum)\b",
    re.I,
)
MARKUP_RE = re.compile(
    r"<\s*/?\s*(?:a|script|img|iframe|div|span|p|b|i|br|html|body|style|form|input|svg|"
    r"table|h[1-6]|object|embed|link|meta)\b[^>]*>"
    r"|\[[^\]\n]+\]\([^)\s]+\)|!\[|```|\*\*[^*\n]+\*\*|^#{1,6}\s|javascript:",
    re.I | re.M,
)
#: Commitments a decline must not make (lower-case, accents kept).
COMMITMENT_PATTERNS: tuple[str, ...] = (
    # English
    r"\b(?:happy|glad|keen|open) to (?:jump|hop|get) on (?:a )?(?:quick )?call",
    r"\b(?:book|schedule|set up|arrange|find time for) (?:a |some )?(?:call|meeting|demo|chat|time)",
    r"\blet'?s (?:talk|chat|meet|schedule|connect (?:on|over) a call|hop on|jump on|do it|proceed)",
    r"\bsend (?:me|over|us) (?:the |some |more )?(?:details|info|information|proposal|pricing|"
    r"deck|contract|invoice|offer|quote|link|cv)",
    r"\bi(?:'m| am| would be| 'd be)? (?:very |really )?interested\b",
    r"\b(?:i|we) (?:will|'ll|would like to|want to|'d like to) (?:buy|purchase|sign|order|take it)",
    r"\bi(?:'ll| will) (?:pay|send the money|transfer)",
    r"\b(?:sign|count) me in\b|\bsign me up\b|\bi accept\b|\bit'?s a deal\b|\bdeal!",
    r"\bsounds (?:great|good|interesting|perfect)\b",
    r"\b(?:call|ring|text|whatsapp) me\b|\bmy (?:number|phone|whatsapp) is\b",
    r"\blooking forward to (?:our|the|working|hearing more|the call|speaking)",
    r"\bwhen (?:are|would) you (?:free|available)\b|\bwhat time works\b",
    r"(?m)^\W*(?:yes|ja|oui|sí)\b",
    # German
    r"\bich (?:bin|wäre) (?:sehr )?interessiert|\binteresse (?:habe|hätte) ich\b",
    r"\bich kaufe\b|\bich nehme (?:das|ihr) angebot an\b|\bich bestelle\b",
    r"\b(?:schicken|senden) sie mir\b|\bschick(?:e|t)? mir\b",
    r"\bgerne? (?:einen|ein) (?:termin|telefonat|gespräch|call|kurzes)",
    r"\blassen sie uns (?:telefonieren|sprechen|einen termin)|\bklingt (?:gut|interessant|spannend)",
    r"\brufen sie mich an\b|\bmeine nummer\b",
    # French
    r"\bje suis (?:très )?intéressée?\b|\bça m'intéresse\b|\bcela m'intéresse\b",
    r"\benvoyez-moi\b|\benvoie-moi\b|\bj'accepte\b|\bje (?:prends|achète|signe)\b",
    r"\bvolontiers (?:pour )?(?:un |une )?(?:appel|échange|rendez-vous|call|démo)",
    r"\b(?:planifions|organisons) (?:un|une)\b|\bappelez-moi\b|\bça me va\b",
    # Spanish
    r"(?<!no )\bme interesa\b|\bestoy (?:muy )?interesad[oa]\b",
    r"\benv[ií]e(?:me|nme)\b|\benv[ií]ame\b|\bacepto\b|\blo compro\b|\bcompro\b",
    r"\b(?:agendemos|programemos|hablemos)\b|\bll[áa]m(?:e|a)me\b",
    r"\bcon gusto (?:tengamos|hacemos|agendamos) (?:una )?(?:llamada|reunión)",
)
_COMMITMENT_RES = [re.compile(p, re.I) for p in COMMITMENT_PATTERNS]
#: Sentences of an incoming message that talk to an assistant or auto-responder.
INSTRUCTION_RE = re.compile(
    r"ignor|disregard|forget (?:all|your|previous|the above)|system prompt|instructions?\b|"
    r"you are now|you must|as an ai|language model|assistant|\bprompt\b|auto-?respon|"
    r"\b(?:reply|respond|answer|say|write|include|add|append|put|insert|tell (?:me|them)|"
    r"confirm)\b[^.!?\n]{0,60}\b(?:yes|link|url|that|with|this|the following|in)\b|"
    r"\bswitch (?:to|language)|\bin (?:english|german|french|spanish|russian|chinese) only\b|"
    r"anweisung|ignoriere|antworte|schreibe|ignorez|répondez|ignora|responde|escribe",
    re.I,
)
#: The draft talks about being an AI or about its instructions (leak or jailbreak success).
SELF_REFERENCE_RE = re.compile(
    r"system prompt|my (?:instructions|rules|prompt)|as an ai\b|i am an ai\b|i'm an ai\b|"
    r"language model|\bopenai\b|\bchatgpt\b|<<<|>>>|untrusted|meine anweisungen|mes instructions|"
    r"mis instrucciones",
    re.I,
)


@dataclass(frozen=True)
class LintResult:
    ok: bool
    problems: list[str] = field(default_factory=list)


def _norm_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.findall(r"[^\W_]+(?:'[^\W_]+)?", text)


def _shingles(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _show(value: str) -> str:
    """A found link or address, defanged for display in the problem list."""

    return defang(value[:80])


def _show_text(text: str) -> str:

    return defang(text[:120])


def _own(settings: Settings) -> tuple[list[str], set[str]]:
    """The user's own URLs (normalised prefixes) and e-mail addresses."""
    urls = []
    if settings.profile.linkedin_url:
        urls.append(_norm_url(settings.profile.linkedin_url))
    emails = {e.strip().lower() for e in settings.profile.emails if e.strip()}
    if settings.mail.from_address:
        emails.add(settings.mail.from_address.strip().lower())
    return urls, emails


def _norm_url(url: str) -> str:
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.strip().lower())
    return url.rstrip("/")


def _body_lines(text: str, kind: str) -> str:
    """The draft without quoted evidence lines (a report note quotes the message on purpose)."""
    if kind != DraftKind.REPORT_NOTE:
        return text
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


def _link_problems(text: str, kind: str, settings: Settings) -> list[str]:
    own_urls, own_emails = _own(settings)
    problems = []
    for email in sorted(set(EMAIL_RE.findall(text))):
        if email.lower() not in own_emails and kind != DraftKind.REPORT_NOTE:
            problems.append(f"contains an e-mail address ({_show(email)}) that is not yours")
    without_emails = EMAIL_RE.sub(" ", text)
    if kind != DraftKind.REPORT_NOTE:
        for match in DEFANGED_HOST_RE.finditer(without_emails):
            problems.append(
                f"contains a link ({match.group(0)}): drafts may only link to your profile"
            )
    # Defanged links (and their paths) cannot be clicked; only live ones are checked below.
    without_emails = DEFANGED_HOST_RE.sub(" ", without_emails)
    for match in URL_RE.finditer(without_emails):
        url = match.group(0).rstrip(".,;:!?)]}'\"")
        if any(_norm_url(url).startswith(own) for own in own_urls):
            continue
        if kind == DraftKind.REPORT_NOTE:
            if not DEFANGED_RE.search(url):
                problems.append(f"contains a live link ({_show(url)}): links must be defanged")
        else:
            problems.append(f"contains a link ({_show(url)}): drafts may only link to your profile")
    if kind != DraftKind.REPORT_NOTE:
        iban = IBAN_RE.search(without_emails)
        if iban:
            problems.append(f"contains bank details ({iban.group(0)[:4]}…)")
            without_emails = IBAN_RE.sub(" ", without_emails)
        for match in PHONE_RE.finditer(without_emails):
            digits = re.sub(r"\D", "", match.group(0))
            if len(digits) >= 8 and not DATE_RE.match(match.group(0).strip()):
                problems.append(f"contains a phone number ({match.group(0).strip()})")
    return problems


def _script_problem(body: str) -> str | None:
    """Drafts in the supported languages use Latin script; a reply in another script means the
    model switched language."""
    if body.isascii():  # every ASCII letter is Latin (and naming each letter is slow)
        return None
    letters = [c for c in body if c.isalpha()]
    foreign = [c for c in letters if not unicodedata.name(c, "").startswith("LATIN")]
    if len(foreign) >= 5 and len(foreign) > 0.2 * len(letters):
        script = unicodedata.name(foreign[0], "?").split(" ")[0].title()
        return f"written in {script} script, not in the language of the message"
    return None


def _core_text(text: str) -> str:
    """The draft without its greeting line and a short signature block (names, closings)."""
    lines = text.strip().splitlines()
    if lines and len(lines[0]) <= 60 and lines[0].rstrip().endswith((",", ":", "!")):
        lines = lines[1:]
    blocks = "\n".join(lines).strip().split("\n\n")
    last = blocks[-1].splitlines()
    if len(blocks) > 1 and len(last) <= 3 and all(len(x) <= 40 for x in last):
        blocks = blocks[:-1]
    return "\n\n".join(blocks)


def _vocab(words: str) -> frozenset[str]:
    return frozenset(words.split())


_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _vocab(
        "the a an and or but to of for in on at with you your i me my we our is are "
        "was be it this that not no thanks thank will would have has there"
    ),
    "de": _vocab(
        "der die das und oder aber zu von für mit sie ihr ihre ich mich mein wir uns "
        "ist sind war nicht kein keine danke vielen grüße habe hat auf an im dass"
    ),
    "fr": _vocab(
        "le la les et ou mais à de des du pour avec vous votre je me mon nous est sont "
        "pas ne merci une un ce cette que qui en au"
    ),
    "es": _vocab(
        "el la los las y o pero a de del para con usted su yo me mi nosotros es son "
        "no gracias una un este esta que en al por muy"
    ),
}


def _function_words_agree(text: str, expected: str, found: str) -> bool:
    """True when the text's function words say it is in `expected` after all (the statistical
    detector is unreliable on a few short sentences)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if expected not in _FUNCTION_WORDS or not words:
        return False
    hits = {lang: sum(w in vocab for w in words) for lang, vocab in _FUNCTION_WORDS.items()}
    if found in hits:
        return hits[expected] > hits[found]
    return hits[expected] >= 3 and hits[expected] >= 0.2 * len(words)


def _language_problem(text: str, kind: str, language: str) -> str | None:
    if not language or language == "und":
        return None
    body = URL_RE.sub(" ", EMAIL_RE.sub(" ", _body_lines(text, kind)))
    if language in LANGUAGE_NAMES:
        script = _script_problem(body)
        if script:
            return script
    core = _core_text(body)
    if len(re.findall(r"[^\W\d_]{2,}", core)) < 6:
        return None  # too short to tell reliably
    found = detect_language(core)
    if found in ("und", language) or _function_words_agree(core, language, found):
        return None
    want = LANGUAGE_NAMES.get(language, language)
    return f"written in {LANGUAGE_NAMES.get(found, found)} but should be in {want}"


def _commitment_problems(text: str) -> list[str]:
    lowered = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    found = []
    for rx in _COMMITMENT_RES:
        match = rx.search(lowered)
        if match:
            found.append(f"a decline must not commit to anything: '{match.group(0).strip()}'")
    return found


def instruction_sentences(message_text: str) -> list[str]:
    """Sentences of the incoming message that try to instruct an assistant."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", message_text or "")
    return [p.strip() for p in parts if p.strip() and INSTRUCTION_RE.search(p)]


_QUOTED_RE = re.compile(r"[\"'“”„«‘‚]([^\"'“”„«»‘’\n]{2,200})[\"'“”»’]")


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _instruction_copy(draft_words: list[str], message_text: str) -> str | None:
    """The first instruction sentence whose payload or wording the draft repeats."""
    draft6 = _shingles(draft_words, 6)
    for sentence in instruction_sentences(message_text):
        for payload in _QUOTED_RE.findall(sentence):
            words = _norm_words(payload)
            if (len(words) > 1 or (words and len(words[0]) >= 4)) and _contains_run(
                draft_words, words
            ):
                return sentence
        if _shingles(_norm_words(sentence), 6) & draft6:
            return sentence
    return None


def _copy_problems(text: str, kind: str, message_text: str, system_prompt: str | None) -> list[str]:
    draft_words = _norm_words(_body_lines(text, kind))
    problems = []
    sentence = _instruction_copy(draft_words, message_text)
    if sentence:
        problems.append(
            f"copies an instruction from the incoming message: '{_show_text(sentence)}'"
        )
    elif _shingles(draft_words, 8) & _shingles(_norm_words(message_text), 8):
        problems.append("copies a passage of the incoming message")
    if system_prompt and _shingles(draft_words, 8) & _shingles(_norm_words(system_prompt), 8):
        problems.append("repeats the assistant's instructions (prompt leak)")
    match = SELF_REFERENCE_RE.search(_body_lines(text, kind))
    if match:
        problems.append(f"talks about the assistant or its instructions: '{match.group(0)}'")
    return problems


def lint_draft(
    *,
    text: str,
    kind: str,
    message_text: str,
    language: str,
    settings: Settings,
    system_prompt: str | None = None,
) -> LintResult:
    """Check a draft; `language` is the language it must be written in."""
    if not text or not text.strip():
        return LintResult(ok=False, problems=["the draft is empty"])
    problems = _link_problems(text, kind, settings)
    placeholder = PLACEHOLDER_RE.search(_body_lines(text, kind))
    if placeholder:
        problems.append(f"unfilled placeholder: '{placeholder.group(0)}'")
    markup = MARKUP_RE.search(_body_lines(text, kind))
    if markup:
        problems.append(f"contains markup (HTML or markdown): '{markup.group(0)[:40]}'")
    low, high = LENGTH_LIMITS.get(kind, (20, 1500))
    length = len(text.strip())
    if length < low:
        problems.append(f"too short ({length} characters, at least {low})")
    elif length > high:
        problems.append(f"too long ({length} characters, at most {high})")
    lang_problem = _language_problem(text, kind, language)
    if lang_problem:
        problems.append(lang_problem)
    if kind in DECLINE_KINDS:
        problems.extend(_commitment_problems(text))
    problems.extend(_copy_problems(text, kind, message_text, system_prompt))
    return LintResult(ok=not problems, problems=problems)
