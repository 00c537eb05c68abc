"""Unit tests for confdata.normalize.names: person-name keys, parts and initials compatibility."""

from __future__ import annotations

import pytest

from confdata.normalize.names import NameParts, fold, initials_compatible, name_key, name_parts


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Işıl Dillig", "Isil Dillig"),
        ("P. Brighten Godfrey", "Brighten Godfrey"),
        ("Gerald Q. Maguire Jr.", "Gerald Q. Maguire Jr"),
        ("Gerald Q. Maguire Jr", "Gerald Maguire"),
        ("Dejan Kostić", "Dejan Kostic"),
        ("Kai-Siang Wang", "Kai Siang Wang"),
        ("Zhenyuan (Zain) Ruan", "Zhenyuan Ruan"),
        ('Zhenyuan "Zain" Ruan', "Zhenyuan Ruan"),
        ("Kostić, Dejan", "Dejan Kostić"),
        ("Maguire, Jr., Gerald Q.", "Gerald Maguire"),
        ("Gerald Q. Maguire, Jr.", "Gerald Maguire"),
        ("Kenneth Bøgh", "Kenneth Bogh"),
        ("Łukasz Nowak", "Lukasz Nowak"),
        ("Oğuzhan Çölkesen", "Oguzhan Colkesen"),
        ("ALVIN R. LEBECK", "Alvin Lebeck"),
        ("John Smith III", "John Smith"),
        ("John Smith II", "John Smith"),
        ("Sean O'Brien", "Sean OBrien"),
        ("  Dejan\u00a0 Kostić ", "Dejan Kostić"),
        ("Dejan Kostic\u0301", "Dejan Kostić"),  # decomposed accent
    ],
)
def test_variants_of_one_name_share_a_key(a: str, b: str) -> None:
    """Printing variants of one name (accents, initials, suffixes, nicknames, order) share a key."""
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jialin Li", "Jialong Li"),
        ("Xinyu Zhang", "Xingyu Zhang"),
        ("Rodrigo Fonseca", "Pedro Fonseca"),
        ("Fabio Luciano Verdi", "Fabio Verdi"),  # a full middle name stays in the key
        ("D. Kostić", "Dejan Kostić"),  # an initial alone is not a given name
        ("Yibin Shen", "Yixin Shen"),
    ],
)
def test_different_given_names_keep_different_keys(a: str, b: str) -> None:
    """Only initials, never full given names, are left out of the key."""
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("P. Brighten Godfrey", "brighten godfrey"),
        ("Gerald Q. Maguire Jr.", "gerald maguire"),
        ("Işıl Dillig", "isil dillig"),
        ("S. M. H. Hosseini", "s hosseini"),  # no full given name: the first initial stays
        ("K. van der Berg", "k van der berg"),  # particles are not given names
        ("Federico De Marchi", "federico de marchi"),
        ("Di Jin", "di jin"),  # a particle-like given name stays a given name
        ("Madonna", "madonna"),
        ("", ""),
        ("(Zain)", ""),
        ("Smith Jr", "smith jr"),  # never reduced to a single word
        ("清华 大学", "清华 大学"),
    ],
)
def test_key_examples(name: str, key: str) -> None:
    """The key is the full given names and the family name, folded and space-separated."""
    assert name_key(name) == key


@pytest.mark.parametrize(
    "name",
    ["Işıl Dillig", "P. Brighten Godfrey", "Gerald Q. Maguire Jr.", "K. van der Berg", "Smith Jr"],
)
def test_key_is_idempotent(name: str) -> None:
    """Normalizing a key again returns it unchanged."""
    assert name_key(name_key(name)) == name_key(name)


def test_name_parts_keeps_dropped_initials() -> None:
    """Parts give the key's given names, the family name and every printed initial."""
    assert name_parts("P. Brighten Godfrey") == NameParts(("brighten",), "godfrey", ("p", "b"))
    assert name_parts("Gerald Q. Maguire Jr.") == NameParts(("gerald",), "maguire", ("g", "q"))
    assert name_parts("Federico De Marchi") == NameParts(("federico",), "de marchi", ("f",))
    assert name_parts("") == NameParts((), "", ())
    assert name_parts("Kai-Siang Wang").key == "kai siang wang"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("D. Kostić", "Dejan Kostic", True),
        ("P. Brighten Godfrey", "Brighten Godfrey", True),
        ("Gerald Q. Maguire Jr.", "Gerald Maguire", True),
        ("Fabio L. Verdi", "Fabio Luciano Verdi", True),
        ("Fabio Verdi", "Fabio Luciano Verdi", True),
        ("Jialin Li", "Jialong Li", False),
        ("A. B. Smith", "B. A. Smith", False),  # initials are never reordered
        ("Gerald Q. Maguire", "Gerald R. Maguire", False),
        ("Dejan Kostić", "Dejan Kostov", False),
        ("", "", False),
    ],
)
def test_initials_compatible(a: str, b: str, expected: bool) -> None:
    """Compatible names have the same family name and initials that fit in order."""
    assert initials_compatible(a, b) is expected
    assert initials_compatible(b, a) is expected


def test_fold_keeps_punctuation() -> None:
    """fold only folds case and letters; word breaks are left to the key."""
    assert fold("Dejan Kostić, Łukasz Bøgh, İbrahim") == "dejan kostic, lukasz bogh, ibrahim"


# 2026-12: invisible characters pasted inside names (from web pages and PDFs) split people.
@pytest.mark.parametrize(
    ("printed", "plain"),
    [
        ("Dejan Kos\u200btić", "Dejan Kostić"),  # zero-width space inside a word
        ("Dejan\u200b Kostić", "Dejan Kostić"),  # beside a space
        ("Ke Su\u00adn", "Ke Sun"),  # soft hyphen
        ("\ufeffKe Sun", "Ke Sun"),  # byte-order mark (zero-width no-break space)
        ("Ke Sun\u200d", "Ke Sun"),  # zero-width joiner
        ("Ke\u200c Sun", "Ke Sun"),  # zero-width non-joiner
        ("Ke\u2060 Sun", "Ke Sun"),  # word joiner
        ("\u202eKe Sun\u202c", "Ke Sun"),  # right-to-left override ... pop
        ("\u2067Ke Sun\u2069", "Ke Sun"),  # right-to-left isolate ... pop
        ("Ke\u200f Sun\u200e", "Ke Sun"),  # RLM, LRM
        ("Ke Su\ufe0fn", "Ke Sun"),  # variation selector
    ],
)
def test_invisible_characters_do_not_change_the_key(printed: str, plain: str) -> None:
    assert name_key(printed) == name_key(plain)


def test_an_invisible_character_is_dropped_not_read_as_a_word_break() -> None:
    """The key follows what a reader sees: "Ke\u200bSun" shows as "KeSun", not as "Ke Sun"."""
    assert name_key("Ke\u200bSun") == name_key("KeSun") == "kesun"
    assert name_key("Ke\u200bSun") != name_key("Ke Sun")
