"""A seeded, labelled inbox for the classification, triage and LLM-economy benchmarks.

`generate_inbox(n, pitch_share=0.6, seed=...)` returns `n` messages. `pitch_share` of them are mass
pitches built from 40 templates (names, companies, numbers and the sender vary, the wording does
not); the rest are varied messages of all six labels, composed from sentence pools with random
names, dates, amounts and links, so no two are alike. The same seed gives the same inbox.

`write_linkedin_csv(messages, path)` writes them as a LinkedIn `messages.csv` (the current header),
so the benchmarks load them through the real import path.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

OWNER_NAME = "Alex Morgan"
OWNER_URL = "https://www.linkedin.com/in/alex-morgan-bench"
HEADER = [
    "CONVERSATION ID",
    "CONVERSATION TITLE",
    "FROM",
    "SENDER PROFILE URL",
    "TO",
    "RECIPIENT PROFILE URLS",
    "DATE",
    "SUBJECT",
    "CONTENT",
    "FOLDER",
    "ATTACHMENTS",
]

FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kira",
    "Luca",
    "Maya",
    "Nils",
    "Olga",
    "Pavel",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Uwe",
    "Vera",
    "Will",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Amir",
    "Bea",
    "Chen",
    "Dana",
    "Emil",
    "Fatima",
    "Gil",
    "Hana",
    "Ivan",
]
LAST = [
    "Adams",
    "Becker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hoffmann",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lopez",
    "Meyer",
    "Novak",
    "Olsen",
    "Petrov",
    "Quint",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ueda",
    "Vogel",
    "Weber",
    "Young",
    "Zimmer",
    "Brandt",
    "Clarke",
]
COMPANY = [
    "Nexora",
    "Brightpath",
    "Quantix",
    "Leadly",
    "Growthly",
    "Scalewise",
    "Apexa",
    "Cloudnest",
    "Veritas",
    "Pipelinr",
    "Salesbridge",
    "Optima",
    "Funnelhub",
    "Vantage",
    "Corely",
    "Metricon",
    "Stratify",
    "Boostr",
    "Northwind",
    "Bluepeak",
]
SERVICES = [
    ("lead generation", "we book 15-25 qualified sales meetings a month on autopilot"),
    ("SEO services", "we take sites to page one of Google in under 90 days"),
    ("outsourced development", "our senior engineers in Eastern Europe cost 60% less"),
    ("sales coaching", "our program doubled close rates for 300+ founders"),
    ("video production", "short explainer videos lift conversion by up to 80%"),
    ("bookkeeping", "we handle your books, payroll and VAT for a flat monthly fee"),
    ("cloud cost optimisation", "we cut AWS bills by 30-40% without code changes"),
    ("LinkedIn ghostwriting", "we grow founders to 10k followers in six months"),
    ("recruiting software", "our ATS fills roles twice as fast"),
    ("cybersecurity audits", "our pen tests found critical issues at 9 of 10 SaaS firms"),
    ("data annotation", "we label training data at 99.5% accuracy at scale"),
    ("podcast booking", "we place executives on top-100 business podcasts"),
    ("HR outsourcing", "we run HR for scale-ups from 20 to 500 people"),
    ("UX design", "our redesigns raised activation by 35% on average"),
    ("cold email infrastructure", "we warm up domains and land 98% in the primary inbox"),
    ("CRM implementation", "we set up HubSpot or Salesforce in two weeks"),
    ("executive coaching", "leaders we coach get promoted 2x faster"),
    ("app development", "we ship an MVP in 8 weeks for a fixed price"),
    ("market research", "we interview 50 of your buyers in 10 days"),
    ("employer branding", "our campaigns cut cost per hire by 40%"),
]
_STYLES = (
    "Hi {first},\n\nI came across your profile and was impressed by what you are building at "
    "{their_company}. At {company} we specialise in {service}: {claim}. Would you be open to a "
    "quick {minutes}-minute call this week to see if we could do the same for you?\n\nBest,\n{sender}",
    "Hello {first}! Hope you're well. Quick question: who handles {service} at {their_company}? "
    "We recently helped a company like yours and {claim}. I'd love to share a short case study "
    "({number} clients so far). Worth a chat? Here is my calendar: https://calendly.com/{slug}/"
    "{minutes}min\n\nCheers, {sender} | {company}",
)

GENUINE = [
    "Hi {first}, great seeing you at the {event} last week. Could you send me the slides from "
    "your talk? I'd like to share them with my team on {day}.",
    "Hey {first}, are we still on for lunch on {day}? I booked a table for {number} at 12:30.",
    "{first}, thanks for the intro to {name}! We talked yesterday and will meet again on {day}.",
    "Hi {first}, I'm putting together the agenda for the {event}. Would you join our panel on "
    "{topic}? It is on {day}, {number} minutes, no preparation needed.",
    "Quick one: do you still have the contract draft for {their_company}? Legal asks for the "
    "version from {day}.",
    "Congrats on the new role, {first}! Let me know when you have settled in, coffee is on me.",
    "Hi {first}, my colleague {name} is looking into {topic} and I think your experience would "
    "help a lot. Would you be open to a short chat with her?",
    "Thanks again for reviewing my paper on {topic}. I addressed your {number} comments; the new "
    "version is attached.",
]
RECRUITING = [
    "Hi {first}, I'm a recruiter at {company} Talent. We are hiring a {role} in {city} "
    "(hybrid, {salary}k EUR). Are you open to new opportunities?",
    "Hello {first}, your background in {topic} caught my eye. My client, a fast-growing "
    "{industry} company, is looking for a {role}. Interested in hearing more?",
    "{first}, quick question: would you consider a move? Exciting {role} role at a Series "
    "{series} startup in {city}, equity included.",
    "Dear {first}, I'm headhunting for a {role} position with a leading {industry} firm. "
    "Package up to {salary}k. Can we schedule a confidential call?",
]
PHISHING = [
    "LinkedIn Security: unusual sign-in to your account from {city}. Verify your identity within "
    "24 hours or your account will be suspended: https://{fake}/verify?id={number}",
    "Hi {first}, I shared the invoice INV-{number} with you. View the document here: "
    "https://{short}/{slug} (sign in with your Microsoft account to open it)",
    "Your mailbox is almost full. Confirm your password at http://{ip}/login to keep receiving "
    "messages.",
    "{first}, you appeared in {number} searches this week. See who viewed your profile: "
    "https://{fake}/profile-views?u={slug}",
]
SCAM = [
    "Dear friend, I am {name}, a lawyer in {city}. A client with your surname left {salary} "
    "million USD. I need your bank details to transfer your share.",
    "Hi {first}! I made {number}% in one month with this crypto trading platform. Message me on "
    "WhatsApp +44 7{number}{number} and I will show you how.",
    "Congratulations {first}, you have been selected for a remote data entry job paying {salary}0 "
    "USD per week. Pay the {number} USD onboarding fee with gift cards to start.",
    "Hello dear, you have a beautiful smile. I am an engineer on an oil rig and need help to pay "
    "the customs fee for my parcel. Can you send {number} USD?",
]
HARASSMENT = [
    "You think you're so smart, {first}. Everyone at {their_company} knows you are a fraud.",
    "Answer me or I will make sure everyone sees what I have on you. Last warning.",
    "{first}, why do you ignore me? I know where you work and I'll be waiting outside on {day}.",
]
_VARIED = (
    ("genuine", GENUINE, 0.55),
    ("recruiting", RECRUITING, 0.2),
    ("sales_pitch", None, 0.1),
    ("phishing", PHISHING, 0.07),
    ("scam", SCAM, 0.05),
    ("harassment", HARASSMENT, 0.03),
)
_FILL = {
    "event": ["PyCon", "board meeting", "offsite", "product summit", "customer day", "meetup"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the 14th", "next week"],
    "topic": ["pricing", "data privacy", "hiring", "MLOps", "supply chains", "onboarding"],
    "role": ["Staff Engineer", "Head of Data", "VP Sales", "Product Manager", "CTO"],
    "city": ["Berlin", "Lisbon", "Warsaw", "Madrid", "Amsterdam", "Vienna", "Lagos", "Austin"],
    "industry": ["fintech", "healthtech", "logistics", "insurance", "e-commerce", "energy"],
    "series": ["A", "B", "C"],
    "fake": ["linkedin-security-check.com", "1inkedin.com", "linkedln-verify.net"],
    "short": ["bit.ly", "tinyurl.com", "t.co"],
    "ip": ["185.23.44.12", "45.77.10.3", "91.200.12.8"],
}


@dataclass(frozen=True)
class InboxMessage:
    """One generated inbound message with its true label."""

    id: str
    label: str
    sender_name: str
    sender_url: str
    subject: str
    body: str
    sent_at: datetime
    #: Pitch template number (0-39) for mass pitches, else None.
    template: int | None = None


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _values(rng: random.Random) -> dict[str, str]:
    values = {key: rng.choice(options) for key, options in _FILL.items()}
    values.update(
        first=rng.choice(FIRST),
        name=_name(rng),
        company=rng.choice(COMPANY),
        their_company=rng.choice(COMPANY) + rng.choice([" GmbH", " Ltd", " Inc", ""]),
        number=str(rng.randint(2, 99)),
        minutes=str(rng.choice([10, 15, 20, 30])),
        salary=str(rng.randint(6, 19) * 10),
        slug=f"{rng.choice(FIRST).lower()}-{rng.randint(100, 9999)}",
    )
    return values


def pitch_template(number: int) -> str:
    """Template `number` (0-39): one of 20 services in one of two styles."""
    service, claim = SERVICES[number % len(SERVICES)]
    style = _STYLES[number // len(SERVICES)]
    return style.replace("{service}", service).replace("{claim}", claim)


def _pitch(rng: random.Random, template: int, sender: str) -> str:
    return pitch_template(template).format(sender=sender, **_values(rng))


def _varied(rng: random.Random, label: str, pool: list[str] | None, sender: str) -> str:
    if pool is None:  # a one-off pitch written by hand, not from the 40 templates
        service, claim = rng.choice(SERVICES)
        values = _values(rng)
        return (
            f"Hi {values['first']}, {sender.split()[0]} here from {values['company']}. I noticed "
            f"you posted about {values['topic']}. Since {claim}, I thought {service} might help "
            f"{values['their_company']}. Open to a {values['minutes']}-minute chat on "
            f"{values['day']}?"
        )
    sentences = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2])))
    text = " ".join(s.format(**_values(rng)) for s in sentences)
    if rng.random() < 0.3:
        text += "\n\n" + rng.choice(["Thanks!", "Best,", "Cheers,", "Regards,"]) + f"\n{sender}"
    return text


def generate_inbox(n: int, *, pitch_share: float = 0.6, seed: int = 7) -> list[InboxMessage]:
    """`n` labelled inbound messages (deterministic for a given seed), in date order."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    n_pitch = round(n * pitch_share)
    kinds = ["pitch"] * n_pitch + ["varied"] * (n - n_pitch)
    rng.shuffle(kinds)
    labels = [label for label, _pool, _w in _VARIED]
    weights = [w for _label, _pool, w in _VARIED]
    pools = {label: pool for label, pool, _w in _VARIED}
    out: list[InboxMessage] = []
    for i, kind in enumerate(kinds):
        sender = _name(rng)
        url = f"https://www.linkedin.com/in/{sender.lower().replace(' ', '-')}-{rng.randint(1, 99999)}"
        template = None
        if kind == "pitch":
            template = rng.randrange(40)
            label, body = "sales_pitch", _pitch(rng, template, sender)
        else:
            label = rng.choices(labels, weights)[0]
            body = _varied(rng, label, pools[label], sender)
        sent_at = start + timedelta(minutes=37 * i + rng.randint(0, 30))
        out.append(InboxMessage(f"b{i:07d}", label, sender, url, "", body, sent_at, template))
    return out


def write_linkedin_csv(messages: list[InboxMessage], path: Path) -> Path:
    """Write `messages` as a LinkedIn messages.csv, one conversation per message."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for m in messages:
            writer.writerow(
                [
                    f"2-{m.id}",
                    "",
                    m.sender_name,
                    m.sender_url,
                    OWNER_NAME,
                    OWNER_URL,
                    m.sent_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                    m.subject,
                    m.body,
                    "INBOX",
                    "",
                ]
            )
    return path
