"""Declines say what they decline: the offer is found in en/de/fr/es, named in the offline text,
checked by lint for model drafts; several phrasings let Regenerate give a real alternative;
a greeting is never a bare "Hi,"."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from responder.drafts.context import greeting
from responder.drafts.drafter import Drafter, build_drafter
from responder.drafts.lifecycle import create_draft
from responder.drafts.lint import lint_draft
from responder.drafts.offer import extract_offer, offer_phrase
from responder.settings import Settings
from tests.drafts.conftest import add_message

SEO = "Hello! Our SEO services get agencies like yours to page one. Free audit this week?"
LEADGEN = "Hi, we are an agency for lead generation. Can we book a quick call on Thursday?"
GROWTH = "Hey there. We offer fractional growth consulting for seed-stage startups. Keen to chat?"


@pytest.fixture
def drafter(settings: Settings) -> Drafter:
    return build_drafter(settings=settings)


@pytest.mark.parametrize(
    ("text", "label", "language", "phrase"),
    [
        (SEO, "sales_pitch", "en", "your SEO services"),
        ("Hi James, I'm a fractional CMO for B2B tech companies. Is that you?", "sales_pitch",
         "en", "your fractional CMO services"),
        ("Phishing is up 300%. We run security awareness training for banks.", "sales_pitch",
         "en", "your offer to handle security awareness training"),
        ("Urgent requirement for a SAP FICO consultant in Frankfurt, 12 month contract.",
         "recruiting", "en", "the SAP FICO consultant role"),
        ("I'm working on an exciting Commercial Director role in Leeds.", "recruiting", "en",
         "the Commercial Director role"),
        ("We're looking for a Senior Product Manager at our Dubai office.", "recruiting", "en",
         "the Senior Product Manager role"),
        ("Hallo Jana, wir suchen eine Backend-Entwicklerin für unser Team in Köln.", "recruiting",
         "de", "die Stelle als Backend-Entwicklerin"),
        ("Hola Marta, buscamos una Desarrolladora backend para Madrid.", "recruiting", "es",
         "el puesto de Desarrolladora"),
        (LEADGEN, "sales_pitch", "en", "your lead generation services"),
        (GROWTH, "sales_pitch", "en", "your offer of fractional growth consulting"),
        ("Our AI-powered CRM helps data teams close 3x more deals.", "sales_pitch", "en",
         "your AI-powered CRM"),
        ("We help B2B founders grow their pipeline with outbound.", "sales_pitch", "en",
         "helping B2B founders grow their pipeline"),
        ("I'm recruiting for a Senior Data Engineer role at Acme Corp. Interested?",
         "recruiting", "en", "the Senior Data Engineer role at Acme Corp"),
        ("Guten Tag, unsere SEO-Dienstleistungen bringen Sie auf Seite 1.", "sales_pitch",
         "de", "Ihr Angebot rund um SEO-Dienstleistungen"),
        ("Hallo, wir sind eine Agentur für Leadgenerierung und bringen Ihnen Termine.",
         "sales_pitch", "de", "Ihr Angebot rund um Leadgenerierung"),
        ("Für eine Stelle als Backend-Entwickler (m/w/d) bei Initech suche ich Sie.",
         "recruiting", "de", "die Stelle als Backend-Entwickler bei Initech"),
        ("Bonjour, nos services de référencement naturel vous aideront.", "sales_pitch", "fr",
         "vos services de référencement naturel"),
        ("Nous recrutons pour un poste de Chef de projet chez Danone.", "recruiting", "fr",
         "le poste de Chef de projet chez Danone"),
        ("Hola, nuestros servicios de marketing digital le ayudarán.", "sales_pitch", "es",
         "sus servicios de marketing digital"),
        ("Tenemos un puesto de Analista de Datos en Telefónica.", "recruiting", "es",
         "el puesto de Analista de Datos en Telefónica"),
    ],
)  # fmt: skip
def test_the_offer_is_found_and_phrased(text: str, label: str, language: str, phrase: str) -> None:
    offer = extract_offer(text, label=label)
    assert offer is not None and offer.language == language
    assert offer.phrase == phrase


@pytest.mark.parametrize(
    ("text", "label", "language", "phrase"),
    [
        ("Are you open to new opportunities?", "recruiting", "en", "the role you described"),
        ("Quick question for you, got a minute?", "sales_pitch", "de", "Ihr Angebot"),
        ("Our https://evil.example/x services are great", "sales_pitch", "en", "your offer"),
        (SEO, "sales_pitch", "fr", "votre proposition"),  # an English offer in a French draft
    ],
)
def test_a_general_phrase_when_nothing_plain_was_offered(
    text: str, label: str, language: str, phrase: str
) -> None:
    assert offer_phrase(text, label=label, language=language)[0] == phrase


def test_three_pitches_get_three_declines_each_naming_its_offer(session: Session, drafter) -> None:
    texts = []
    for body, named in ((SEO, "SEO services"), (LEADGEN, "lead generation"),
                        (GROWTH, "fractional growth consulting")):  # fmt: skip
        msg = add_message(session, body, sender_name="Pat Seller")
        result = drafter.draft(session=session, message=msg, label="sales_pitch")
        assert named in result.text and result.lint_ok, result.lint_problems
        texts.append(result.text)
    assert len(set(texts)) == 3


def test_regenerate_gives_the_next_phrasing_and_comes_back(session: Session, drafter) -> None:
    msg = add_message(session, SEO, label="sales_pitch")
    drafts = [
        create_draft(session=session, message=msg, label="sales_pitch", kind=None, drafter=drafter)
        for _ in range(4)
    ]
    texts = [d.text for d in drafts if d is not None]
    assert len(set(texts[:3])) == 3  # three English phrasings
    assert texts[3] == texts[0]
    assert all("your SEO services" in t and t.startswith("Hi Anna,") for t in texts)


def test_german_decline_reads_naturally(session: Session, drafter) -> None:
    msg = add_message(
        session, "Hallo, wir sind eine Agentur für Leadgenerierung. Zeit für ein Gespräch?"
    )
    result = drafter.draft(session=session, message=msg, label="sales_pitch")
    assert result.language == "de" and "deshalb sage ich ab" not in result.text
    assert "Ihr Angebot rund um Leadgenerierung" in result.text and result.lint_ok


@pytest.mark.parametrize(
    ("language", "tone", "expected"),
    [("en", "friendly", "Hi there,"), ("en", "formal", "Good day,"),
     ("de", "friendly", "Guten Tag,"), ("es", "friendly", "Buenos días:")],
)  # fmt: skip
def test_a_greeting_without_a_name_is_never_bare(language: str, tone: str, expected: str) -> None:
    assert greeting(language=language, tone=tone, sender_name="") == expected
    assert greeting(language=language, tone=tone, sender_name="Anna Weber").count("Anna") == 1


def test_lint_flags_a_decline_that_does_not_name_the_offer(settings: Settings) -> None:
    vague = (
        "Hi Pat,\n\nThank you for your message. This is not something I need right now, so "
        "I'll pass.\n\nBest regards,\nAlex"
    )
    named = vague.replace("This is not", "Your SEO services are not")
    kw = {"kind": "decline", "message_text": SEO, "language": "en", "settings": settings}
    bad = lint_draft(text=vague, offer="SEO", **kw)
    assert not bad.ok and "does not say what it declines (SEO)" in bad.problems
    assert lint_draft(text=named, offer="SEO", **kw).ok
    assert lint_draft(text=vague, offer="", **kw).ok  # nothing specific to name
