import pytest

from responder.classify.language import UNKNOWN, detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hallo Alex, ich hoffe es geht dir gut. Hast du kurz Zeit für ein Gespräch?", "de"),
        ("Bonjour, je me permets de vous contacter au sujet de notre offre.", "fr"),
        ("Hola, ¿tienes tiempo para una llamada rápida esta semana?", "es"),
        ("Hi Alex, quick question about the invoice you sent last week.", "en"),
        ("ok", UNKNOWN),
        ("https://example.com/a/b/c", UNKNOWN),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected
