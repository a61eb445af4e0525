"""NUMEN detection: every disguise is caught, ordinary names, addresses and numbers never are."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import numen as numen_module
from generator.numen import (
    HIDDEN,
    holds_numen,
    is_numen_header,
    numen_refusal,
    quoted,
)


def holds_numen_thorough(text: str, *, name: bool = False) -> bool:
    """``holds_numen`` as the module docstring says it, character by character: the fast one is held to it."""
    if name and sum(ch.isdecimal() for ch in unicodedata.normalize("NFKC", text)) >= numen_module.NAME_DIGITS:
        return True
    segments = list(numen_module._segments(text))
    for classes, runs in segments:
        if numen_module._rule_a(classes) or any(numen_module._rule_b(unit) for unit in (classes, *runs)):
            return True
    return len(segments) > 1 and numen_module._rule_c("".join(classes for classes, _ in segments))


# --- what the old rule (roster._holds_numen) caught, and the cases --------

CAUGHT = [
    "17E0912345ABC",
    "08X1234567XYZ",
    "Dupont 17E0912345ABC",
    "Dupont17E0912345ABC",
    "Marie (17E0912345ABC)",
    "17E0912345ABC@example.org",
    "marie.17e0912345abc@example.org",
    "17E0912345ABCX",  # one character too many
    "17e0912345ab",  # one character left out
    "17E091234ABC",  # a digit left out
    "Dupont 17E 0912345 ABC",
    "Dupont 17E-0912345-ABC",
    "Dupont 17E\u200b0912345ABC",
    "Dupont \uff11\uff17E0912345ABC",
    "vieljeux 17E0912345ABC",
    # issue 12
    "13E1812345:ABC",
    "13E1812345ABC@x.fr",
    "13e18-12345-abc@ac-poitiers.fr",
    "Dupont 13E1812345\u2013ABC",
    "NUMEN 13E1812345ABC",
    "13 E 18 12345 ABC",
    "13.E.18.12345.ABC",
    "13/E/18/12345/ABC",
    "(13) E 18 #12345 +ABC",
    "13_E_18_12345_ABC",
    "13\u2014E\u201318\u221212345\u2010ABC",
    "13E\u316418\u00ad12345\u2060ABC",  # Hangul filler, soft hyphen, word joiner
    "\uff11\uff13\uff25\uff11\uff18\uff11\uff12\uff13\uff14\uff15\uff21\uff22\uff23",  # all full-width
    "1\u03323\u0332E\u033218\u033212345ABC",  # combining underline
    "\u0661\u0663E\u0661\u0668\u0661\u0662\u0663\u0664\u0665ABC",  # Arabic-Indic digits
    "13\u0415181234\u0410\u0412\u0421",  # Cyrillic look-alike letters
    "13E18,12345,ABC",  # across the characters that part values (rule C)
    "1709123E45ABC",  # another pattern, typed alone (rule B)
]

PASSED = [
    "Marie-Amélie",
    "Jean-Pierre Le Dupond de La Tour",
    "marie.dupont1985@example.org",
    "jean-pierre.martin75017@example.fr",
    "jean.dupont2@ac-poitiers.fr",
    "m0612345678@example.org",
    "mdupont12",
    "Louis XIV",
    "05 16 52 66 86",
    "05.16.52.66.86",
    "Tél : 05 16 52 66 86",
    "+33 (0)5 16 52 66 86",
    "00 33 5 16 52 66 86",
    "86000 Poitiers",
    "86000 POITIERS CEDEX 9",
    "rue du 8 mai 1945",
    "12 rue du 8 mai 1945 86000 Poitiers",
    "Bât. 12 B, 3 allée des Lilas, 86000 Poitiers",
    "BP 70001 - 86000 Poitiers",
    "12/03/1985",
    "1985-03-12",
    "le 12 mars 1985",
]


@pytest.mark.parametrize("text", CAUGHT)
def test_numen_is_caught_however_it_is_typed(text: str) -> None:
    """Each form the old rule or issue 12 names is recognised as holding a NUMEN."""
    assert holds_numen(text)


@pytest.mark.parametrize("text", PASSED)
def test_ordinary_values_are_not_taken_for_a_numen(text: str) -> None:
    """Names, e-mail addresses, phone numbers, postal addresses and dates pass."""
    assert not holds_numen(text)


def test_messages_never_quote_a_numen() -> None:
    """quoted() hides a NUMEN and shortens long values; numen_refusal() names the place only."""
    assert quoted("Dupont 13E1812345\u2013ABC") == HIDDEN
    assert quoted("Dupont") == "'Dupont'"
    assert quoted("x" * 100).endswith("…'") and len(quoted("x" * 100)) == 62
    assert numen_refusal("Courriel", line=4) == (
        "line 4: Courriel looks like it holds a NUMEN (a password): remove it from the roster"
    )
    assert numen_refusal("email", at_the_desk=True).endswith("remove it and type the value alone")
    assert "12345" not in numen_refusal("13E1812345ABC", line=2)


@pytest.mark.parametrize("header", ["NUMEN", "N° Numen", "numen_agent", "Num\u00e9ro NUMEN", "ＮＵＭＥＮ"])
def test_numen_headers_are_recognised(header: str) -> None:
    """A column that names the NUMEN is known by its header, in any case or width."""
    assert is_numen_header(header)
    assert not is_numen_header("Nom")


# --- property tests: 10 000 ordinary values, and every disguise ----------------

FIRST = (
    "Marie Jean Anne Pierre Hélène Zoé Gaël Anaïs Noël Françoise Jérôme Léa Chloé Maëlle Loïc Thérèse "
    "Agnès Benoît Cécile Aurélien Inès Mélissa Yannick Ségolène Bérénice Océane Raphaël Josué Nathanaël "
    "Kévin Mathéo Lucas Emma Jade Louise Hugo Théo Ève Aïcha Mohamed Fatoumata Nguyễn Łukasz Øyvind Şule"
).split()
FAMILY = (
    "Dupont Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefèvre "
    "Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupuis Lambert Fontaine Rousseau Vincent Müller "
    "Bérénger Quenneville Mineau Brache Vieljeux Ndiaye Diallo Nguyen Traoré Boyer Garnier Chevalier "
    "François Legrand Gauthier Perrin Clément Gaillard Brun Blanc Guérin Muller Henry Roussel Faure"
).split()
PARTICLES = ["de", "du", "Le", "La", "de La", "des", "Van", "Ben", "Mac", "d'", "D'", "D’", "O'", "N'"]
SPACES = [" ", "\u00a0", "\u202f", "  "]


def french_name(rnd: random.Random) -> str:
    """A first or family name as offices type them: compounds, particles, apostrophes, accents, case."""
    if rnd.random() < 0.5:
        name = rnd.choice(["-", " ", "-"]).join(rnd.choices(FIRST, k=rnd.randint(1, 3)))
    else:
        name = rnd.choice(["-", " "]).join(rnd.choices(FAMILY, k=rnd.randint(1, 2)))
        if rnd.random() < 0.5:
            particle = rnd.choice(PARTICLES)
            name = particle + ("" if particle.endswith(("'", "’")) else rnd.choice(SPACES)) + name
        if rnd.random() < 0.1:
            name += ", épouse " + rnd.choice(FAMILY)
    return rnd.choice([name, name.upper(), name.lower(), unicodedata.normalize("NFD", name)])


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in "-")).lower()


DOMAINS = [
    "gmail.com",
    "laposte.net",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "sfr.fr",
    "hotmail.fr",
    "outlook.fr",
    "yahoo.fr",
    "ac-poitiers.fr",
    "lycee-vieljeux.fr",
    "mairie-la-rochelle.fr",
    "univ-poitiers.fr",
    "etu.univ-poitiers.fr",
    "example.org",
]


def email_address(rnd: random.Random) -> str:
    """A personal address: first.last, initials, compound names, years, postcodes, phone numbers, tags."""
    first, last = _fold(rnd.choice(FIRST)), _fold(rnd.choice(FAMILY))
    if rnd.random() < 0.5:
        last = f"{last}-{_fold(rnd.choice(FAMILY))}"
    joiner = rnd.choice([".", "-", "_", ""])
    local = rnd.choice([f"{first}{joiner}{last}", f"{first[0]}{joiner}{last}", f"{last}{joiner}{first}"])
    number = rnd.choice(
        [
            "",
            str(rnd.randint(1, 99)),
            str(rnd.randint(1950, 2010)),
            f"{rnd.randint(1, 28):02d}{rnd.randint(1, 12):02d}{rnd.randint(1950, 2010)}",
            f"{rnd.choice([16, 17, 79, 86])}{rnd.randint(0, 999):03d}",  # postcode
            f"0{rnd.choice([6, 7])}{rnd.randint(0, 99_999_999):08d}",  # mobile phone
        ]
    )
    if number:
        local += rnd.choice(["", ".", "_", "-"]) + number
    if rnd.random() < 0.1:
        local += "+" + rnd.choice(["aesh", "travail", "rectorat", "2024"])
    address = f"{local}@{rnd.choice(DOMAINS)}"
    return address.upper() if rnd.random() < 0.05 else address


def postal_value(rnd: random.Random) -> str:
    """A phone number, postal address, postcode or date as free-text columns hold them."""
    d = [rnd.randint(1, 9)] + [rnd.randint(0, 99) for _ in range(4)]
    phone = rnd.choice(
        [
            "0{} {:02d} {:02d} {:02d} {:02d}",
            "0{}.{:02d}.{:02d}.{:02d}.{:02d}",
            "+33 {} {:02d} {:02d} {:02d} {:02d}",
            "+33 (0){} {:02d} {:02d} {:02d} {:02d}",
            "00 33 {} {:02d} {:02d} {:02d} {:02d}",
            "Tél : 0{} {:02d} {:02d} {:02d} {:02d}",
            "Port. 0{}{:02d}{:02d}{:02d}{:02d}",
        ]
    ).format(*d)
    street = rnd.choice(["rue du 8 mai 1945", "avenue de Nantes", "allée des Lilas", "bd du 11 Novembre"])
    number = f"{rnd.randint(1, 250)}{rnd.choice(['', ' bis', ' B', 'ter'])}"
    town = f"{rnd.choice([16, 17, 79, 86])}{rnd.randint(0, 999):03d} "
    town += rnd.choice(["Poitiers", "NIORT", "La Rochelle", "Cognac Cedex 9"])
    building = rnd.choice(["", "Bât. 12 B, ", "Apt 3, ", "Résidence Les Lilas bât C ", "BP 70001 "])
    address = f"{building}{number} {street}{rnd.choice([', ', ' ', ' - '])}{town}"
    date = rnd.choice(["{:02d}/{:02d}/{}", "{2}-{1:02d}-{0:02d}", "{:02d}.{:02d}.{}"]).format(
        rnd.randint(1, 28), rnd.randint(1, 12), rnd.randint(1950, 2010)
    )
    return rnd.choice([phone, address, town, date, f"{address}, tél {phone}"])


# Hypothesis draws the seed of a generator (and replays a failing one); each example
# then makes BATCH values in plain Python, far cheaper than one draw per value.
BATCH = 100  # 100 examples × 100 values = 10 000 values a test
BULK = settings(max_examples=100, deadline=None)


@BULK
@given(st.randoms(use_true_random=True))
def test_no_french_name_is_taken_for_a_numen(rnd: random.Random) -> None:
    """10 000 generated French names (compounds, particles, apostrophes, accents) all pass."""
    names = [french_name(rnd) for _ in range(BATCH)]
    assert [n for n in names if holds_numen(n)] == []


@BULK
@given(st.randoms(use_true_random=True))
def test_no_email_address_is_taken_for_a_numen(rnd: random.Random) -> None:
    """10 000 generated e-mail addresses (with years, postcodes, phone numbers in them) all pass."""
    addresses = [email_address(rnd) for _ in range(BATCH)]
    assert [a for a in addresses if holds_numen(a)] == []


@BULK
@given(st.randoms(use_true_random=True))
def test_no_phone_address_or_date_is_taken_for_a_numen(rnd: random.Random) -> None:
    """10 000 phone numbers, postal addresses, postcodes and dates all pass."""
    values = [postal_value(rnd) for _ in range(BATCH)]
    assert [v for v in values if holds_numen(v)] == []


SEPARATORS = (
    " \u00a0\u2007\u2009\u202f\u3000\t\n"  # spaces of every kind
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"  # dashes and minus signs
    ".\u00b7\u2024\u2027\u30fb/\\\u2044\u2215:\uff1a+#()[]{}_'\u2019\""
)
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u3164\u034f\ufe0f"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CONTEXTS = [
    "{}",
    "Dupont {}",
    "Dupont{}",
    "{} Dupont",
    "Marie ({})",
    "{}@ac-poitiers.fr",
    "jean.{}@example.org",
    "NUMEN : {}",
    "Nom de naissance {} Martin",
]


def numen(rnd: random.Random) -> str:
    """A NUMEN: académie code, system letter, year, then 5 digits and 3 letters, in order or not."""
    digits, letters = "0123456789", ALPHABET
    head = (
        rnd.choice(digits)
        + rnd.choice(digits)
        + rnd.choice(letters)
        + rnd.choice(digits)
        + rnd.choice(digits)
    )
    tail = rnd.choices(digits, k=5) + rnd.choices(letters, k=3)
    if rnd.random() < 0.5:
        rnd.shuffle(tail)
    return head + "".join(tail)


def _variant(ch: str, how: int) -> str:
    if how == 1:
        return ch.lower()
    if how == 2:
        return chr(ord(ch) + 0xFEE0)  # full-width
    if how == 3 and ch.isdigit():
        return chr(0x1D7CE + int(ch))  # mathematical bold digit
    if how == 4 and ch.isdigit():
        return chr(0x0660 + int(ch))  # Arabic-Indic digit
    if how == 5:
        return ch + "\u0332"  # combining low line
    return ch


def disguised_numen(rnd: random.Random) -> str:
    """A NUMEN broken by a mix of separators and invisible characters, case and width changed, in context."""
    pieces = []
    for ch in numen(rnd):
        pieces.append(_variant(ch, rnd.randint(0, 6)))
        if rnd.random() < 0.4:
            pieces.append("".join(rnd.choices(SEPARATORS + INVISIBLE, k=rnd.randint(1, 3))))
    return rnd.choice(CONTEXTS).format("".join(pieces))


@BULK
@given(st.randoms(use_true_random=True))
def test_every_disguised_numen_is_caught(rnd: random.Random) -> None:
    """10 000 NUMENs disguised by separators, invisible characters, case, width or context: all caught."""
    texts = [disguised_numen(rnd) for _ in range(BATCH)]
    assert [t for t in texts if not holds_numen(t)] == []


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CONTEXTS), st.text(st.sampled_from(SEPARATORS + INVISIBLE), max_size=3))
def test_a_numen_split_at_any_point_is_caught(context: str, separator: str) -> None:
    """The canonical NUMEN cut in two at every position by any separator string is caught."""
    for cut in range(1, 13):
        assert holds_numen(context.format("13E1812345ABC"[:cut] + separator + "13E1812345ABC"[cut:]))


# --- the fast reading (a class table, a digit count first) agrees with the thorough one ---

DIGIT_LIKE = "0123456789\uff10\uff19\u0661\u0669\u00b2\u00b9\u2460\u2473\u2488\u1369\U0001d7ce\u00bd\u3251"
LETTER_LIKE = "AEZaez\u00e9\u0415\u0410\uff25\u2168\u00aa\u00b5\u3164\u1160"
BREAKS = ",;@|\uff0c\ufe50\uff1b\uff20"
DIGIT = st.sampled_from(DIGIT_LIKE)
NUMEN_ISH = st.text(  # digits drawn twice as often: most texts reach the rules
    st.one_of(DIGIT, DIGIT, st.sampled_from(LETTER_LIKE + BREAKS + SEPARATORS + INVISIBLE), st.characters()),
    max_size=40,
)


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=60) | NUMEN_ISH, st.booleans())
def test_the_fast_reading_answers_as_the_thorough_one(text: str, name: bool) -> None:
    """On any text (any Unicode, and digit-like, letter-like, breaking and invisible characters mixed) both agree."""
    assert holds_numen(text, name=name) == holds_numen_thorough(text, name=name)


@BULK
@given(st.randoms(use_true_random=True))
def test_the_fast_reading_agrees_on_numens_and_ordinary_values(rnd: random.Random) -> None:
    """Disguised NUMENs cut anywhere, names, addresses and phone numbers: the same answer both ways."""
    texts = [disguised_numen(rnd) for _ in range(BATCH // 4)]
    texts += [t[: rnd.randint(0, len(t))] for t in texts]  # cut short: near the limits of the rules
    texts += [f(rnd) for f in (french_name, email_address, postal_value) for _ in range(BATCH // 4)]
    for text in texts:
        for name in (False, True):
            assert holds_numen(text, name=name) == holds_numen_thorough(text, name=name), text


def test_the_fast_reading_needs_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing remembered (a text of rarer characters than the cache holds), each class is still right."""
    monkeypatch.setattr(numen_module, "_CLASSES", numen_module._ClassTable())
    monkeypatch.setattr(numen_module, "_CACHED_CLASSES", 0)
    for text in [*CAUGHT, *PASSED]:
        assert holds_numen(text) == holds_numen_thorough(text), text
    assert len(numen_module._CLASSES) == 0


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from("0123456789"), max_size=numen_module.MIN_DIGITS - 1),
    st.text(st.sampled_from(ALPHABET + SEPARATORS + INVISIBLE + BREAKS), max_size=30),
    st.randoms(use_true_random=True),
    st.booleans(),
)
def test_fewer_than_min_digits_never_hold_a_numen(
    digits: list[str], rest: str, rnd: random.Random, name: bool
) -> None:
    """Where the fast reading stops, the thorough one agrees: with 6 digits or fewer no rule can find a NUMEN."""
    chars = [*digits, *rest]
    rnd.shuffle(chars)
    assert not holds_numen_thorough("".join(chars), name=name)
    assert holds_numen_thorough("1709123E45ABC") and holds_numen_thorough("Dupont 1234567", name=True)
