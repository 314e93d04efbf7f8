"""The offline model's scikit-learn pipeline: word n-gram TF-IDF (character n-grams optional)
plus the weighted intent features, and multinomial logistic regression with a shift towards
genuine.

Hyper-parameters (intent-feature weight, regularisation C, class weights, the genuine shifts,
character n-grams) are chosen by cross-validation on the SEED corpus only, leaving one
hand-written file out at a time: `python -m responder.classify.training.tune --transfer` prints the
table and the choice (see that module). dev.jsonl is used for measuring, never for choosing.
"""

from __future__ import annotations

import re
from typing import Any

from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from responder.classify.features import FEATURE_NAMES, feature_matrix

#: Chosen by grouped cross-validation on the seed corpus (`python -m responder.classify.training.tune`).
HYPERPARAMS: dict[str, Any] = {
    "intent_weight": 0.1,
    "C": 15.0,
    "char_range": None,
    "class_weight": "balanced",
    "genuine_bias": 1.0,
    "genuine_bias_no_risk": 1.5,
}
#: Words left out of the reasons (an n-gram holding one says little).
STOP_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "to",
        "of",
        "in",
        "on",
        "for",
        "at",
        "is",
        "are",
        "be",
        "it",
        "this",
        "that",
        "you",
        "your",
        "we",
        "our",
        "i",
        "me",
        "my",
        "with",
        "from",
        "as",
        "by",
        "please",
        "pls",
        "hi",
        "hello",
        "hey",
        "dear",
        "der",
        "die",
        "das",
        "und",
        "zu",
        "le",
        "la",
        "les",
        "de",
        "et",
        "pour",
        "el",
        "los",
        "las",
        "y",
    ]
)


def intent_block(texts: Any, weight: float = 0.25) -> sparse.csr_matrix:
    """The intent features, weighted, as the pipeline's last feature block."""
    return sparse.csr_matrix(feature_matrix(list(texts)) * weight)


#: Character n-grams look at the start of the text only: they catch obfuscated spellings and
#: style, which the first lines show; most of the time of a long e-mail would go here otherwise.
CHAR_NGRAM_CHARS = 600


def char_preprocess(text: str) -> str:
    return text[:CHAR_NGRAM_CHARS].lower()


#: Placeholders the word n-grams see instead of links, amounts, phone numbers, short codes and
#: other numbers: the seed's invented numbers then teach "a phone number" rather than one number.
#: Upper case, so they never collide with a (lower-cased) word; shown in reasons as PLACEHOLDERS.
PLACEHOLDERS = {
    "LINK": "<a link>",
    "MONEY": "<an amount>",
    "PHONE": "<a phone number>",
    "CODE": "<a code>",
    "NUM": "<a number>",
}
_N_LINK = re.compile(
    r"(?:https?:/*|hxxps?:/*|www\.)\S+|\b[\w.-]+\.(?:com|net|org|co\.uk|info|xyz|top|ru|io|ly|me|us)"
    r"\b\S*"
)
#: What every _N_LINK match contains besides "http", "hxxp" or "www." (a quick test first).
_N_LINK_TLD = re.compile(r"\.(?:com|net|org|co\.uk|info|xyz|top|ru|io|ly|me|us)\b")
# The number patterns below are written to start with one character class, so that `re` jumps to
# the characters that can start a match instead of trying every position; each finds exactly the
# matches of the plain pattern in its comment (a look-behind after the first character stands for
# the \b before it).
#: [£$€]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:pounds|dollars|euros|usd|eur|gbp|rs)\b|\brs\.?\s?\d[\d,.]*
_N_MONEY = re.compile(
    r"[£$€\dr](?:(?<=[£$€])\s?\d[\d,.]*"
    r"|(?<=\d)(?<!\w\d)[\d,.]*\s?(?:pounds|dollars|euros|usd|eur|gbp|rs)\b"
    r"|(?<=r)(?<!\wr)s\.?\s?\d[\d,.]*)"
)
#: \+?\d[\d \-()]{8,}\d
_N_PHONE = re.compile(r"[+\d](?:(?<=\+)\d[\d \-()]{8,}\d|(?<=\d)[\d \-()]{8,}\d)")
#: \b\d{4,6}\b
_N_CODE = re.compile(r"\d(?<!\w\d)\d{3,5}\b")
#: \d{2,}
_N_NUM = re.compile(r"\d\d+")


def normalize_words(text: str) -> str:
    """What the word n-grams read: lower case, with links, amounts, phone numbers, short codes and
    numbers replaced by placeholders (single digits stay: "2", "4" are words in SMS)."""
    t = text.lower()
    if "http" in t or "hxxp" in t or "www." in t or _N_LINK_TLD.search(t):
        t = _N_LINK.sub(" LINK ", t)
    if any(map(str.isdigit, t)):
        t = _N_MONEY.sub(" MONEY ", t)
        t = _N_PHONE.sub(" PHONE ", t)
        t = _N_CODE.sub(" CODE ", t)
        t = _N_NUM.sub(" NUM ", t)
    return t


#: Words of one character count too ("u", "r", "2"): SMS writes them instead of longer ones.
WORD_TOKENS = r"(?u)\b\w+\b"


def word_vectorizer() -> Any:
    """The model's word n-gram TF-IDF (unfitted); `tune` cross-validates with the same one."""

    return TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        max_features=40000,
        preprocessor=normalize_words,
        token_pattern=WORD_TOKENS,
    )


_DEFAULT: Any = object()


def build_pipeline(
    intent_weight: float | None = None,
    C: float | None = None,  # noqa: N803 - the usual name
    char_range: Any = _DEFAULT,
) -> Any:
    """The model; arguments left out take HYPERPARAMS. `char_range=None`: no character n-grams."""

    chars = HYPERPARAMS["char_range"] if char_range is _DEFAULT else char_range
    weight = intent_weight or HYPERPARAMS["intent_weight"]
    parts: list[tuple[str, Any]] = [("word", word_vectorizer())]
    if chars is not None:
        char = TfidfVectorizer(
            analyzer="char_wb",
            preprocessor=char_preprocess,
            ngram_range=tuple(chars),
            sublinear_tf=True,
            max_features=30000,
        )
        parts.append(("char", char))
    intent = FunctionTransformer(intent_block, validate=False, kw_args={"weight": weight})
    parts.append(("intent", intent))
    clf = LogisticRegression(
        C=C or HYPERPARAMS["C"],
        class_weight=HYPERPARAMS["class_weight"],
        max_iter=3000,
        random_state=0,
    )
    return Pipeline([("features", FeatureUnion(parts)), ("clf", clf)])


def intent_weight(pipeline: Any) -> float:
    """The intent-feature weight a fitted pipeline was built with."""
    union = pipeline.named_steps["features"]
    transformer = dict(union.transformer_list)["intent"]
    return float((transformer.kw_args or {}).get("weight", 0.25))


def shift_towards_genuine(pipeline: Any, bias: float, no_risk_bias: float = 0.0) -> None:
    """Give genuine the benefit of the doubt: its odds times e**bias for every message, and times
    e**no_risk_bias more for a message with no risk signal (no link, phone number or fraud ask;
    the "no_risk" intent feature).

    The costs are not symmetric: a real message given another label may be declined or lost,
    while a pitch left as genuine costs a glance; but a message with a link or a payment ask
    gets little benefit, as it may be phishing or a scam. The shift lives in the model itself
    (intercept and the "no_risk" weight of the genuine row), so every scorer applies it.
    Chosen with the other hyper-parameters by leave-one-written-file-out cross-validation on the
    seed (`python -m responder.classify.training.tune --transfer`): the highest phishing+scam recall with
    at most 4% of held-out genuine messages flagged."""
    clf = pipeline.named_steps["clf"]
    row = list(clf.classes_).index("genuine")
    clf.intercept_[row] += bias
    if no_risk_bias:
        column = clf.coef_.shape[1] - len(FEATURE_NAMES) + FEATURE_NAMES.index("no_risk")
        clf.coef_[row, column] += no_risk_bias / intent_weight(pipeline)
