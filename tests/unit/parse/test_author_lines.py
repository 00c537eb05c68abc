"""The author-line grammar, one defect per test."""

from __future__ import annotations

import pytest

from confdata.parse.authors.usenix import parse_author_line, split_organizations, split_top_level
from confdata.reference.data import Reference


def people(line: str, reference: Reference, **kw: bool) -> list[tuple[str, tuple[str, ...], str]]:
    parsed = parse_author_line(line, reference.org_knowledge, **kw)
    return [(a.name, a.affiliations, a.status) for a in parsed.authors]


def codes(line: str, reference: Reference) -> list[str]:
    return [n.code for n in parse_author_line(line, reference.org_knowledge).notes]


def test_serial_comma_list_shares_the_organization(reference: Reference) -> None:
    """It gives every name of "A, B, and C, Org" the one organization."""
    assert people("Ann Lee, Bo Chen, and Cy Wu, UT Austin", reference) == [
        ("Ann Lee", ("UT Austin",), "affiliated"),
        ("Bo Chen", ("UT Austin",), "affiliated"),
        ("Cy Wu", ("UT Austin",), "affiliated"),
    ]


def test_two_names_joined_by_and(reference: Reference) -> None:
    """It splits "A and B, Org" into two people."""
    assert [p[0] for p in people("Divyanshu Saxena and Gaurav Vipat, UT Austin", reference)] == [
        "Divyanshu Saxena",
        "Gaurav Vipat",
    ]


def test_organization_with_a_comma_stays_whole(reference: Reference) -> None:
    """It keeps "University of California, Berkeley" as one organization."""
    assert people("Hannaneh B. Pasandi, University of California, Berkeley", reference) == [
        ("Hannaneh B. Pasandi", ("University of California, Berkeley",), "affiliated")
    ]


def test_campus_qualifier_after_a_comma_joins_the_university(reference: Reference) -> None:
    """It reads "…Hong Kong, Shenzhen, and X" as two organizations, the first with its campus."""
    orgs = people(
        "Tianyi Gong, The Chinese University of Hong Kong, Shenzhen, and Shenzhen Future "
        "Network of Intelligence Institute",
        reference,
    )[0][1]
    assert orgs == (
        "The Chinese University of Hong Kong, Shenzhen",
        "Shenzhen Future Network of Intelligence Institute",
    )


def test_and_inside_an_organization_name_is_kept(reference: Reference) -> None:
    """It does not split "Hong Kong University of Science and Technology" at "and"."""
    assert people("Kai Chen, Hong Kong University of Science and Technology", reference)[0][1] == (
        "Hong Kong University of Science and Technology",
    )


def test_and_between_subject_words_is_kept_before_more_words(reference: Reference) -> None:
    """It keeps "University of Science and Technology of China" whole."""
    assert people("Han Tian, University of Science and Technology of China", reference)[0][1] == (
        "University of Science and Technology of China",
    )


def test_organizations_joined_by_and_are_split(reference: Reference) -> None:
    """It splits "Stanford University and NVIDIA" into two organizations."""
    assert people("Swapnil Gandhi, Stanford University and NVIDIA", reference)[0][1] == (
        "Stanford University",
        "NVIDIA",
    )


def test_organizations_joined_by_ampersand_are_split(reference: Reference) -> None:
    """It splits "Politecnico di Milano & Queen Mary University of London"."""
    assert people(
        "Gianni Antichi, Politecnico di Milano & Queen Mary University of London", reference
    )[0][1] == ("Politecnico di Milano", "Queen Mary University of London")


def test_one_author_with_three_organizations(reference: Reference) -> None:
    """It reads "Yixin Shen, Tsinghua University, Bytedance Inc., and Zhongguancun Laboratory"
    as one person with three organizations, not three names."""
    assert people(
        "Yixin Shen, Tsinghua University, Bytedance Inc., and Zhongguancun Laboratory; "
        "Ruihua Chen, Tsinghua University",
        reference,
    ) == [
        (
            "Yixin Shen",
            ("Tsinghua University", "Bytedance Inc.", "Zhongguancun Laboratory"),
            "affiliated",
        ),
        ("Ruihua Chen", ("Tsinghua University",), "affiliated"),
    ]


def test_organization_only_group_belongs_to_the_group_before(reference: Reference) -> None:
    """It gives a ";"-group of organizations only to the authors of the group before it."""
    line = (
        "Chenren Xu, Peking University; and Key Laboratory of High Confidence Software "
        "Technologies, Ministry of Education (PKU); Shu Shi, ByteDance"
    )
    assert people(line, reference) == [
        (
            "Chenren Xu",
            (
                "Peking University",
                "Key Laboratory of High Confidence Software Technologies, Ministry of Education (PKU)",
            ),
            "affiliated",
        ),
        ("Shu Shi", ("ByteDance",), "affiliated"),
    ]
    assert "organization-only-group" in codes(line, reference)


def test_unit_and_parent_joined_by_a_comma_are_one_organization(reference: Reference) -> None:
    """It keeps "Computer Network Information Center, Chinese Academy of Sciences" whole."""
    assert people(
        "Hui Zou, Computer Network Information Center, Chinese Academy of Sciences", reference
    )[0][1] == ("Computer Network Information Center, Chinese Academy of Sciences",)


def test_legal_suffix_without_space_is_not_a_separator(reference: Reference) -> None:
    """It keeps "China Telecom Cybersecurity Technology Co.,Ltd." whole."""
    assert people(
        "Yingxin Wang and Ziqian Liu, China Telecom Cybersecurity Technology Co.,Ltd.", reference
    )[1] == ("Ziqian Liu", ("China Telecom Cybersecurity Technology Co.,Ltd.",), "affiliated")


def test_unaffiliated_is_a_status_not_an_organization(reference: Reference) -> None:
    """It records "unaffiliated" as a status with no organization."""
    assert people("Jiaqi Gao, unaffiliated", reference) == [("Jiaqi Gao", (), "unaffiliated")]


def test_independent_researcher_is_a_status(reference: Reference) -> None:
    """It records "Independent Researcher" as the independent status for each name."""
    assert people("Yan Liu and Lingfeng Guo, Independent Researcher", reference) == [
        ("Yan Liu", (), "independent"),
        ("Lingfeng Guo", (), "independent"),
    ]


def test_names_only_line(reference: Reference) -> None:
    """It reads a names-only line (Test of Time authors) without inventing organizations."""
    assert people(
        "Teemu Koponen, Keith Amidon, and Ronghua Zhang", reference, expect_affiliations=False
    ) == [
        ("Teemu Koponen", (), "not_printed"),
        ("Keith Amidon", (), "not_printed"),
        ("Ronghua Zhang", (), "not_printed"),
    ]


def test_single_word_name_is_reported(reference: Reference) -> None:
    """It reads "Yogesh" as a name but reports the split as uncertain."""
    line = "Manshi Sagar, Yogesh, and Kartikay Singh, IIT Delhi"
    assert [p[0] for p in people(line, reference)] == ["Manshi Sagar", "Yogesh", "Kartikay Singh"]
    assert codes(line, reference) == ["uncertain-author-split"]


def test_unknown_word_after_and_is_reported(reference: Reference) -> None:
    """It reports a guess when nothing says whether "X and Y" is one organization or two."""
    line = "Ann Lee, Frobnitz Widgets and Quuxly"
    assert "uncertain-organization-split" in codes(line, reference)


def test_nickname_in_parentheses_is_part_of_the_name(reference: Reference) -> None:
    """It keeps "Zhenyuan (Zain) Ruan" as one name."""
    assert people("Zhenyuan (Zain) Ruan and Adam Belay, MIT CSAIL", reference)[0] == (
        "Zhenyuan (Zain) Ruan",
        ("MIT CSAIL",),
        "affiliated",
    )


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("A, B", ["A", "B"]),
        ("A (x, y), B", ["A (x, y)", "B"]),
        ("Co.,Ltd., B", ["Co.,Ltd.", "B"]),
    ],
)
def test_split_top_level_ignores_commas_inside_parentheses(text: str, pieces: list[str]) -> None:
    """It splits at commas followed by a space, outside parentheses only."""
    assert split_top_level(text, ",") == pieces


def test_split_organizations_keeps_printed_text(reference: Reference) -> None:
    """It returns organizations exactly as printed, en dashes and all."""
    orgs, _ = split_organizations(
        "University of Illinois Urbana–Champaign and xAI", reference.org_knowledge
    )
    assert orgs == ("University of Illinois Urbana–Champaign", "xAI")
