"""Sources and text cleaning for `build_corpora` (SpamAssassin mail parsing and relabelling,
generic helpers). Standard library only."""

from __future__ import annotations

import collections
import contextlib
import email
import email.policy
import html
import json
import logging
import os
import re
import subprocess
import unicodedata
from html.parser import HTMLParser

log = logging.getLogger("build_corpora")

# ----------------------------------------------------------------------------
# default input locations (override on the command line)
SPAMASSASSIN_DIR = "/work/src/spamassassin/package"
HATECHECK_GIT = "/work/.mirror/paul-rottger+hatecheck-data/repo"
MHC_GIT = "/work/.mirror/rewire-online+multilingual-hatecheck/repo"
CODEALLTAG_GIT = "/work/.mirror/codealltag+CodEAlltag_pS/repo"
DEV_JSONL = "/work/shared/data/dev.jsonl"

MAX_CHARS = 1500
MIN_CHARS = 20
CAP_SOURCE = 3000
CAP_SOURCE_LABEL = 1500
SEED = 13
LABELS = ("genuine", "sales_pitch", "recruiting", "phishing", "scam", "harassment")

# forbidden-source markers: any row whose text matches is dropped (defence in depth)
FORBIDDEN_MARKERS = re.compile(r"\benron\b|smishtank|phishing_pot|convabuse", re.I)


# ----------------------------------------------------------------------------
# generic text helpers
class _HTMLText(HTMLParser):
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "td"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "title") and self._skip:
            self._skip -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(s: str) -> str:
    p = _HTMLText()
    try:
        p.feed(s)
        p.close()
    except Exception:  # malformed html: fall back to tag stripping
        return html.unescape(re.sub(r"<[^>]+>", " ", s))
    return "".join(p.parts)


def tidy(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\xa0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def truncate(text: str, n: int = MAX_CHARS) -> str:
    if len(text) <= n:
        return text
    cut = text[:n]
    sp = cut.rfind(" ")
    if sp > n * 0.8:
        cut = cut[:sp]
    return cut.rstrip() + " …"


def norm_key(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"https?://\S+|www\.\S+", " ", t)
    t = re.sub(r"[^\w]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def git_show(gitdir: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", gitdir, "show", f"HEAD:{path}"], check=True, capture_output=True
    ).stdout


def git_ls(gitdir: str) -> list[str]:
    out = subprocess.run(
        ["git", "--git-dir", gitdir, "ls-tree", "-r", "--name-only", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line for line in out.splitlines() if line]


def non_latin_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 1.0
    return sum(1 for c in letters if ord(c) > 0x24F) / len(letters)


# ----------------------------------------------------------------------------
# SpamAssassin public corpus (stdlib packaging)
SIG_RE = re.compile(r"^(-- ?|_{10,}|-{10,}|={10,})$")
QUOTE_HDR_RE = re.compile(
    r"^(on .{0,120}wrote:|.{0,80} wrote:|-+ ?original message ?-+|from: .+)$", re.I
)
LIST_FOOTER_RE = re.compile(
    r"mailing list|listinfo|unsubscribe|sponsored by|yahoo! groups|sourceforge", re.I
)


def email_body(raw: str) -> tuple[str, str, email.message.Message]:
    msg = email.message_from_string(raw, policy=email.policy.compat32)
    subject = str(msg.get("Subject", "") or "")
    with contextlib.suppress(Exception):
        subject = str(email.header.make_header(email.header.decode_header(subject)))
    plain, htm = None, None
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        try:
            payload = part.get_payload(decode=True)
            if payload is None:
                continue
            charset = part.get_content_charset() or "latin-1"
            try:
                txt = payload.decode(charset, errors="replace")
            except LookupError:
                txt = payload.decode("latin-1", errors="replace")
        except Exception:
            continue
        if ctype == "text/plain" and plain is None:
            plain = txt
        elif ctype == "text/html" and htm is None:
            htm = txt
    if plain and plain.strip():
        body = plain
        if re.search(r"<(html|body|p|br|table|font)\b", body, re.I):
            body = html_to_text(body)
    elif htm:
        body = html_to_text(htm)
    else:
        body = ""
    return subject, body, msg


ATTRIB_RE = re.compile(r"^(on .{0,160}|.{0,100} (wrote|writes|said|mentioned)):?$", re.I)


def clean_email_body(body: str) -> str:
    lines = body.replace("\r", "").split("\n")
    out = []
    for ln in lines:
        s = ln.strip()
        if not out and (not s or ATTRIB_RE.match(s)):
            continue  # leading reply attribution ("On <date>, X wrote:")
        if SIG_RE.match(s):
            break  # signature / list footer starts
        if s.startswith(">") or s.startswith("|"):
            continue  # quoted reply
        if QUOTE_HDR_RE.match(s) and out:
            break  # start of quoted original message
        out.append(ln)
    text = "\n".join(out)
    text = html.unescape(text)
    return tidy(text)


# label rules for SpamAssassin spam (first match wins, order matters)
SA_RULES: list[tuple[str, str, re.Pattern]] = [
    (
        "drop",
        "adult",
        re.compile(
            r"\b(porn|xxx|sex(y)?|nude|naked|teens?|horny|erotic|hardcore|adult (site|entertainment|video)|"
            r"penis|enlarge|orgasm|viagra|cialis|paysites?|x x x|livecam|webcam girls)\b",
            re.I,
        ),
    ),
    (
        "phishing",
        "credential/account",
        re.compile(
            r"(paypal|ebay|citibank|wells ?fargo|bank of america|barclays|halifax|lloyds|online banking|aol|msn|hotmail)"
            r".{0,300}(verify|confirm|update|validate|re-?activate)\s+(your|the)\s+(account|billing|identity|"
            r"password|login|credit card)|(verify|confirm|update|validate|re-?activate)\s+(your|the)\s+(account|billing|"
            r"identity|password|login|credit card).{0,300}(paypal|ebay|citibank|wells ?fargo|bank of america|barclays|"
            r"halifax|lloyds|online banking|aol|msn|hotmail)",
            re.I | re.S,
        ),
    ),
    (
        "scam",
        "advance-fee/419",
        re.compile(
            r"next of kin|\bbarrister\b|(transfer|remit) (of )?(the )?(sum|fund)|(us|usd|u\.s\.?) ?\$? ?\d+(\.\d+)? ?"
            r"(million|m\b)|million (united states |us |u\.s\. )?dollars|business (proposal|relationship|transaction)|"
            r"foreign (partner|account)|strict(est)? confidenc|deceased|late (husband|father)|crude oil|"
            r"central bank of|security company|diplomatic|beneficiary|(the )?(sum|fund) of",
            re.I,
        ),
    ),
    (
        "scam",
        "lottery/prize",
        re.compile(
            r"you (have|'ve) (won|been selected)|claim (your )?(prize|winnings|reward)|lottery|sweepstake|"
            r"winning (number|notification)|congratulations.{0,40}(won|winner|selected)",
            re.I | re.S,
        ),
    ),
    (
        "scam",
        "get-rich/MLM/work-at-home/investment",
        re.compile(
            r"make (big )?money|earn (\$|up to|extra|over)|\$\d[\d,]* (per|a|every) (week|day|month)|"
            r"work (from|at) home|home[- ]based business|multi-?level|\bmlm\b|pyramid|financial freedom|"
            r"(stock|investment) (alert|pick|opportunit)|(hot|penny) stock|guaranteed (income|profit|returns)|"
            r"stock symbol|otc ?bb|strong buy|pink sheets|cash (gifting|gifts)|get rich|residual income|be your own boss|(credit|debt) (repair|elimination)|"
            r"bad credit|erase (your )?debt|grant money|free (government )?grants?|no credit check",
            re.I,
        ),
    ),
    (
        "sales_pitch",
        "commercial offer",
        re.compile(
            r"\b(offer|order|price|discount|save|savings|free|buy|purchase|sale|deal|special|customers?|"
            r"marketing|advertis\w*|promotion|website|products?|services?|subscribe|unsubscribe|remove|"
            r"mortgage|refinanc\w*|insurance|rates?|quote|software|toner|cartridge|email list|leads?|traffic|"
            r"seo|search engine|web ?site design|hosting|call now|click here)\b",
            re.I,
        ),
    ),
]

BULK_HAM_RE = re.compile(
    r"newsletter|digest|rssfeeds|\bnews\b.*@|bulletin|announce|daily|weekly|update@|noreply|no-reply|"
    r"webmaster|mailer|motley|cnet|zdnet|spamassassin-sightings|sightings",
    re.I,
)


def load_spamassassin(root: str, drops: collections.Counter) -> list[dict]:
    rows = []
    data = os.path.join(root, "data")
    for group in sorted(os.listdir(data)):
        gdir = os.path.join(data, group)
        if not os.path.isdir(gdir):
            continue
        for fn in sorted(os.listdir(gdir)):
            if not fn.endswith(".json"):
                continue  # the package also ships the raw .txt copies
            with open(os.path.join(gdir, fn), encoding="utf-8") as fh:
                rec = json.load(fh)
            raw = rec["text"]
            subject, body, msg = email_body(raw)
            text = clean_email_body(body)
            orig = f"{group}"
            if group.startswith("hard-ham"):
                drops[
                    "spamassassin: hard_ham (opt-in commercial bulk mail, not a personal message)"
                ] += 1
                continue
            if group.startswith("easy-ham"):
                sender = " ".join(
                    str(msg.get(h, "")) for h in ("From", "Sender", "Precedence", "List-Id")
                )
                if (
                    BULK_HAM_RE.search(sender)
                    or re.search(r"^(precedence: bulk)", raw, re.I | re.M)
                    and not msg.get("List-Id")
                ):
                    drops["spamassassin: ham newsletter/feed/bulk sender"] += 1
                    continue
                if re.search(r"begin forwarded|forwarded message|forwarded by", text[:300], re.I):
                    drops["spamassassin: ham that is a forwarded article/message"] += 1
                    continue
                label, rule = "genuine", "ham personal/list discussion"
            else:
                probe = f"{subject}\n{text}"
                label, rule = None, None
                for lab, name, rx in SA_RULES:
                    if rx.search(probe):
                        label, rule = lab, name
                        break
                if label is None:
                    drops["spamassassin: spam matched no rule"] += 1
                    continue
                if label == "drop":
                    drops["spamassassin: adult/pharma spam (no label)"] += 1
                    continue
            if non_latin_ratio(text) > 0.2:
                drops["spamassassin: non-Latin script"] += 1
                continue
            subject = re.sub(r"\[[^\]]{1,40}\]\s*", "", subject).strip()
            rows.append(
                {
                    "text": text,
                    "label": label,
                    "subject": subject[:200] or None,
                    "lang": "en",
                    "_orig": orig,
                    "_rule": rule,
                    "_ref": f"{group}/{fn}",
                }
            )
    return rows
