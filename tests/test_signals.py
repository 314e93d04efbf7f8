"""Signals: links, defanging, look-alikes, templates and intent cues (with tricky negatives)."""

from __future__ import annotations

import pytest

from responder.classify.signals import (
    Relationship,
    compute_signals,
    defang,
    extract_links,
    lookalike_brand,
    template_fingerprint,
)


@pytest.mark.parametrize(
    ("text", "host", "flag"),
    [
        ("see https://bit.ly/3xKq9Lm now", "bit.ly", "shortener"),
        ("login at http://185.224.61.7/login", "185.224.61.7", "raw_ip"),
        ("go to https://xn--lnkedin-4ya.com/verify", "xn--lnkedin-4ya.com", "punycode"),
        ("verify at 1inkedin.com/security", "1inkedin.com", "lookalike_brand"),
        ("https://linkedin-security-check.com/x", "linkedin-security-check.com", "lookalike_brand"),
        ("update at micros0ft-support.net", "micros0ft-support.net", "lookalike_brand"),
        (
            '<a href="http://evil.example.net/a">https://www.paypal.com</a>',
            "evil.example.net",
            "display_mismatch",
        ),
        (
            "[https://linkedin.com/login](https://login-portal.example.ru/x)",
            "login-portal.example.ru",
            "display_mismatch",
        ),
    ],
)
def test_suspicious_links(text: str, host: str, flag: str) -> None:
    links = extract_links(text)
    assert [link.host for link in links] == [host]
    assert getattr(links[0], flag)


@pytest.mark.parametrize(
    "text",
    [
        "Here's the repo: https://github.com/acme/etl-tools",
        "Slides: https://docs.google.com/presentation/d/abc",
        "Join via https://teams.microsoft.com/l/meetup-join/123",
        "My profile https://www.linkedin.com/in/jane-doe",
        '<a href="https://www.paypal.com/invoice">PayPal invoice</a>',
        "[our wiki](https://confluence.ourcompany.com/x)",
    ],
)
def test_genuine_links_are_not_suspicious(text: str) -> None:
    links = extract_links(text)
    assert len(links) == 1
    assert not links[0].suspicious
    assert not links[0].shortener


def test_bare_domains_emails_and_false_domains() -> None:
    links = extract_links(
        "Visit example.co.uk/page or mail bob@example.org, e.g. see file.txt. Ok."
    )
    assert [link.domain for link in links] == ["example.co.uk"]


@pytest.mark.parametrize(
    ("host", "brand"),
    [
        ("1inkedin.com", "linkedin"),
        ("micros0ft.com", "microsoft"),
        ("paypa1-verify.com", "paypal"),
        ("secure-linkedin.verify-now.io", "linkedin"),
        ("www.linkedin.com", None),
        ("lnkd.in", None),
        ("login.microsoftonline.com", None),
        ("example.com", None),
        ("applebees.com", None),
    ],
)
def test_lookalike_brand(host: str, brand: str | None) -> None:
    assert lookalike_brand(host) == brand


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://evil.example.com/x", "hxxps://evil[.]example[.]com/x"),
        ("http://1.2.3.4/a", "hxxp://1[.]2[.]3[.]4/a"),
        ("go to bit.ly/abc now", "go to bit[.]ly/abc now"),
        ("mail joe@example.com", "mail joe@example[.]com"),
        ("www.paypa1.com/login", "www[.]paypa1[.]com/login"),
        ("no links here, e.g. none.", "no links here, e.g. none."),
        ("", ""),
    ],
)
def test_defang(text: str, expected: str) -> None:
    assert defang(text) == expected
    assert defang(expected) == expected  # idempotent


def test_defang_leaves_no_clickable_url_in_a_whole_text() -> None:
    text = "Hi, see https://a.example.com/x and http://b.example.org and c.example.net/d, thx"
    out = defang(text)
    assert "http" not in out.replace("hxxp", "")
    assert ".example." not in out


def test_template_fingerprint_ignores_names_numbers_links_and_greetings() -> None:
    a = "Hi John,\nI saw Acme is growing fast. We help teams like yours book 30 meetings a month: https://cal.com/x\nBest, Tom"
    b = "Hello Maria!\nI saw Globex is growing fast. We help teams like yours book 45 meetings a month: https://calendly.com/y\nCheers\nAnna"
    c = "Hi John, can we move our 1:1 to Thursday? I'm stuck in the budget review."
    assert template_fingerprint(a) == template_fingerprint(b)
    assert template_fingerprint(a) != template_fingerprint(c)


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        (
            "Your account is suspended. Verify your account within 24 hours.",
            {"credentials", "urgency"},
            {"pitch"},
        ),
        ("Please buy 5 Google Play gift cards and send me the codes", {"gift_cards"}, set()),
        (
            "I made $5,000 trading Bitcoin, message me on WhatsApp",
            {"crypto", "off_platform"},
            set(),
        ),
        ("Send a copy of your passport and your date of birth", {"personal_data"}, set()),
        ("Congratulations! You have won a £1000 prize, claim now", {"prize"}, set()),
        (
            "Quick call? We help SaaS companies get more leads: https://calendly.com/x/15min",
            {"pitch", "calendar_link"},
            {"credentials"},
        ),
        (
            "Are you open to new opportunities? I'm recruiting for a senior role in Berlin.",
            {"recruiting"},
            {"payment"},
        ),
        ("shut up you stupid bitch", {"abuse"}, {"pitch"}),
        (
            "Ihr Konto wurde gesperrt. Bestätigen Sie Ihre Identität sofort.",
            {"credentials", "urgency"},
            set(),
        ),
        ("Votre compte a été suspendu, vérifier votre compte ici", {"credentials"}, set()),
        ("Tu cuenta ha sido bloqueada, introduce tu contraseña", {"credentials"}, set()),
        ("Halt die Fresse, du Arschloch", {"abuse"}, set()),
        # tricky negatives
        (
            "Hi Sam, the deck is here https://docs.google.com/d/1 - thanks for the notes!",
            {"links", "warm"},
            {"credentials", "lookalike_domain", "shortener"},
        ),
        (
            "We're a customer and would like pricing for 40 more seats, can you send a quote?",
            set(),
            {"credentials", "gift_cards", "abuse", "crypto"},
        ),
        (
            "Quick call tomorrow about the launch checklist?",
            set(),
            {"abuse", "credentials", "payment"},
        ),
        ("If you've been wondering where the number comes from, see the study.", set(), {"prize"}),
        ("You Can Put A Stake in Their Hearts but They Never Die", set(), {"abuse"}),
    ],
)
def test_intent_cues(text: str, present: set[str], absent: set[str]) -> None:
    sig = compute_signals(text)
    names = set(sig.items)
    assert present <= names, names
    assert not (absent & names), names
    for name in present:
        assert sig.items[name].explanation.endswith(".")


def test_relationship_signals() -> None:
    rel = Relationship(
        user_participated=True,
        sender_status="allowed",
        first_contact=False,
        template_count=5,
        template_senders=4,
    )
    sig = compute_signals("Hello", relationship=rel, language="en")
    assert {"user_participated", "sender_allowed", "mass_outreach", "language"} <= set(sig.items)
    assert "first_contact" not in sig.items
    assert "4 sender" in sig.items["mass_outreach"].explanation


def test_signals_to_dict_is_json_ready_and_defanged() -> None:
    import json

    sig = compute_signals("verify at https://1inkedin.com/login now")
    data = sig.to_dict()
    json.dumps(data)
    assert data["_links"][0]["url"] == "hxxps://1inkedin[.]com/login"
    assert "lookalike_domain" in data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dear customer your SBI card has been blocked. Call 9871993238 now to unblock",
            "phishing",
        ),
        (
            "ALERT: Your HDFC debit card is temporarily suspended, verify at bit.ly/3kLmQ8",
            "phishing",
        ),
        ("Your account is on hold. Confirm your login at https://1inkedin.com/verify", "phishing"),
        ("URGENT! You have won £1000 cash. Call 09061743810 to claim. 150ppm", "scam"),
        ("WINNER!! u have been awarded a holiday. txt CLAIM to 87066 now", "scam"),
        ("This is the 2nd attempt to contact u. U have won £1250. call 09071512433", "scam"),
        # tricky negatives: no rule fires
        ("We won the bid for the capacity release, call me on 0207 946 0321 to debrief", None),
        ("My account was locked after the reset, can you unlock it? Call me on 07911 123456", None),
        (
            "IT notice: your account will be locked on Friday for the migration, details at "
            "https://confluence.ourcompany.com/it",
            None,
        ),
        ("Get 3 ringtones for £3/wk, txt TONE to 87066. Stop? txt STOP", None),
        ("Hi Sam, the pricing doc is here https://docs.google.com/d/1 - what do you think?", None),
        ("Could you send a quote for 40 seats? You can call me on +44 7911 123456", None),
        ("Congrats on winning the award, well deserved! Call me tonight 07911 123456", None),
    ],
)
def test_safety_rules(text: str, expected: str | None) -> None:
    from responder.classify.combine import rule_label

    ruled = rule_label(compute_signals(text))
    assert (ruled[0] if ruled else None) == expected, compute_signals(text).items.keys()
    if ruled:
        assert ruled[2].startswith("Rule: ")


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("call 09061 743 810 from a landline", "premium_cta"),
        ("Text WIN to 80082, 150p/msg", "premium_cta"),
        ("your KYC has expired, update now", "account_block"),
        ("Your Netflix account has been suspended", "account_block"),
    ],
)
def test_premium_and_blocked_account_cues(text: str, cue: str) -> None:
    assert cue in compute_signals(text).items
