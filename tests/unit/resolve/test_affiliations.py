"""Unit tests for confdata.resolve.organizations.affiliations: the registry file, validation and matching."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from confdata.resolve.organizations.affiliations import (
    ABBREVIATIONS,
    OrgMatch,
    OrgRegistry,
    ancestors,
    match_org,
    normalize_org,
    parse_registry,
    registry_from_dict,
)

REGISTRY_PATH = Path(__file__).parents[3] / "raw/reference/organizations.yaml"
REGISTRY_TEXT = REGISTRY_PATH.read_text(encoding="utf-8")
REGISTRY = parse_registry(REGISTRY_TEXT)

# Every organization string printed on raw/nsdi26-technical-sessions.txt (author,
# session-chair, co-chair and keynote lines, after splitting the lines into
# organizations), with the entry it must resolve to. Reviewed by hand.
PRINTED_ON_PAGE: list[tuple[str, str]] = [
    ("Alcock Network Intelligence Ltd", "alcock-network-intelligence"),
    ("Alibaba Cloud", "alibaba-cloud"),
    ("Alibaba Cloud Computing", "alibaba-cloud"),
    ("Alibaba Group", "alibaba-group"),
    ("Amazon", "amazon"),
    ("Amazon Web Services", "aws"),
    ("Ant Group", "ant-group"),
    ("Anthropic PBC", "anthropic"),
    ("Auburn University", "auburn-university"),
    ("BNRist", "bnrist"),
    (
        "Beijing University of Posts and Telecommunications",
        "beijing-university-of-posts-and-telecommunications",
    ),
    ("Ben Gurion University of The Negev", "ben-gurion-university"),
    ("Boston University", "boston-university"),
    ("Broadcom", "broadcom"),
    ("Brown University", "brown-university"),
    ("ByteDance", "bytedance"),
    ("ByteDance Inc.", "bytedance"),
    ("ByteDance Seed", "bytedance-seed"),
    ("Bytedance", "bytedance"),
    ("Bytedance Inc.", "bytedance"),
    ("CNIC CAS, China", "cnic-cas"),
    ("Capital One", "capital-one"),
    ("Carnegie Mellon University", "carnegie-mellon-university"),
    ("Central South University", "central-south-university"),
    ("China Telecom", "china-telecom"),
    ("China Telecom Cybersecurity Technology Co.,Ltd.", "china-telecom-cybersecurity-technology"),
    ("Chinese University of Hong Kong", "cuhk"),
    ("Chonnam National University", "chonnam-national-university"),
    ("Cisco Research", "cisco-research"),
    ("City University of Hong Kong", "cityu-hong-kong"),
    ("Columbia University", "columbia-university"),
    ("Computer Network Information Center, Chinese Academy of Sciences", "cnic-cas"),
    ("Conviva", "conviva"),
    ("Cornell University", "cornell-university"),
    ("Dankook University", "dankook-university"),
    ("Dolby Laboratories", "dolby-laboratories"),
    ("Duke University", "duke-university"),
    ("ETH Zurich", "eth-zurich"),
    ("ETRI", "etri"),
    ("Enfabrica", "enfabrica"),
    ("Ewha Womans University", "ewha-womans-university"),
    ("Fudan University", "fudan-university"),
    ("Fuzhou University", "fuzhou-university"),
    ("Georgia Institute of Technology", "georgia-tech"),
    ("Georgia Tech", "georgia-tech"),
    ("Google", "google"),
    ("Google DeepMind", "google-deepmind"),
    (
        "Hangzhou Alibaba Cloud Feitian Information Technology",
        "hangzhou-alibaba-cloud-feitian-information-technology",
    ),
    (
        "Hangzhou Alibaba Feitian Information Technology",
        "hangzhou-alibaba-feitian-information-technology",
    ),
    ("Hangzhou Feitian Cloud", "hangzhou-feitian-cloud"),
    (
        "Hangzhou Institute for Advanced Study, University of Chinese Academy of Sciences",
        "ucas-hangzhou-institute-for-advanced-study",
    ),
    ("Harvard University", "harvard-university"),
    ("Hebrew University of Jerusalem", "hebrew-university-of-jerusalem"),
    ("Hong Kong University of Science and Technology", "hkust"),
    ("Huawei", "huawei"),
    ("Huawei Cloud", "huawei-cloud"),
    ("Huawei Technologies", "huawei"),
    ("Huawei Technologies Canada", "huawei-technologies-canada"),
    ("Huawei Technologies Co., Ltd.", "huawei"),
    ("Huazhong University of Science and Technology", "hust"),
    ("Hunan University", "hunan-university"),
    ("IBM Research", "ibm-research"),
    ("IIT Delhi", "iit-delhi"),
    ("IIT Roorkee", "iit-roorkee"),
    ("Idaho National Laboratory", "idaho-national-laboratory"),
    ("Imperial College London", "imperial-college-london"),
    ("InsightFinder AI", "insightfinder"),
    ("Institute of Artificial Intelligence, China", "institute-of-artificial-intelligence-china"),
    (
        "Institute of Artificial Intelligence, Hefei Comprehensive National Science Center",
        "hefei-institute-of-artificial-intelligence",
    ),
    ("Intel", "intel"),
    ("Jinyinhu Laboratory", "jinyinhu-laboratory"),
    ("KAIST", "kaist"),
    ("KAUST", "kaust"),
    ("KTH Royal Institute of Technology", "kth"),
    (
        "Key Laboratory of High Confidence Software Technologies, Ministry of Education (PKU)",
        "pku-key-lab-high-confidence-software",
    ),
    ("King Abdullah University of Science and Technology", "kaust"),
    ("Korea University", "korea-university"),
    ("MIT", "mit"),
    ("MIT CSAIL", "mit-csail"),
    ("MangoBoost", "mangoboost"),
    ("Massachusetts Institute of Technology", "mit"),
    ("Max Planck Institute for Informatics", "max-planck-institute-for-informatics"),
    ("Meta", "meta"),
    ("Meta Platforms", "meta"),
    ("Microsoft", "microsoft"),
    ("Microsoft Azure", "microsoft-azure"),
    ("Microsoft Azure Research", "microsoft-azure-research"),
    ("Microsoft Research", "microsoft-research"),
    ("Microsoft Research Asia", "microsoft-research-asia"),
    ("Minjiang University", "minjiang-university"),
    ("Mistral AI", "mistral-ai"),
    ("NASA Johnson Space Center", "nasa-johnson-space-center"),
    ("NEC Labs", "nec-laboratories"),
    ("NICE Lab, SJTU", "nice-lab-sjtu"),
    ("NICE Lab, XMU", "nice-lab-xmu"),
    ("NVIDIA", "nvidia"),
    ("NYSERNet", "nysernet"),
    ("Nanjing University", "nanjing-university"),
    ("Nanyang Technological University", "nanyang-technological-university"),
    ("Nanyang Technology University", "nanyang-technological-university"),
    ("National Institute of Standards and Technology (NIST)", "nist"),
    (
        "National Key Laboratory of Parallel and Distributed Computing",
        "national-key-laboratory-of-parallel-and-distributed-computing",
    ),
    ("National University of Singapore", "national-university-of-singapore"),
    ("New York University Shanghai", "new-york-university-shanghai"),
    ("North Carolina State University", "nc-state"),
    ("Northeastern University", "northeastern-university-china"),
    ("Northwestern University", "northwestern-university"),
    ("Nvidia", "nvidia"),
    ("OpenAI", "openai"),
    ("Peking University", "peking-university"),
    ("Pengcheng Laboratory", "peng-cheng-laboratory"),
    ("Politecnico di Milano", "politecnico-di-milano"),
    ("Princeton University", "princeton-university"),
    ("Purdue University", "purdue-university"),
    ("Purple Mountain Laboratories", "purple-mountain-laboratories"),
    ("Quantco", "quantco"),
    ("Queen Mary University of London", "queen-mary-university-of-london"),
    ("RISE Research Institutes of Sweden", "rise"),
    ("Renmin University of China", "renmin-university-of-china"),
    ("Rice University", "rice-university"),
    ("Roma Tre University", "roma-tre-university"),
    (
        "School of Computer Science and Technology, University of Chinese Academy of Sciences",
        "ucas-school-of-computer-science-and-technology",
    ),
    ("School of Computer Science, Peking University", "pku-school-of-computer-science"),
    ("Sea AI Lab", "sea-ai-lab"),
    ("Seoul National University", "seoul-national-university"),
    ("Shahid Beheshti University", "shahid-beheshti-university"),
    ("Shanghai Artificial Intelligence Laboratory", "shanghai-ai-laboratory"),
    ("Shanghai Innovation Institute", "shanghai-innovation-institute"),
    ("Shanghai Jiao Tong University", "shanghai-jiao-tong-university"),
    ("ShanghaiTech University", "shanghaitech-university"),
    (
        "Shenzhen Future Network of Intelligence Institute",
        "shenzhen-future-network-of-intelligence-institute",
    ),
    ("Shenzhen Institutes of Advanced Technology, Chinese Academy of Sciences", "siat-cas"),
    ("Shenzhen University of Advanced Technology", "shenzhen-university-of-advanced-technology"),
    ("Songshan Laboratory", "songshan-laboratory"),
    ("Soochow University", "soochow-university"),
    ("Southeast University", "southeast-university"),
    ("Stanford University", "stanford-university"),
    ("Technical University of Munich", "technical-university-of-munich"),
    ("Technion", "technion"),
    ("Technion – Israel Institute of Technology", "technion"),
    ("Tencent", "tencent"),
    ("Tencent Inc.", "tencent"),
    ("The Chinese University of Hong Kong", "cuhk"),
    ("The Chinese University of Hong Kong, Shenzhen", "cuhk-shenzhen"),
    ("The College of Management Academic Studies", "college-of-management-academic-studies"),
    ("The Hong Kong Polytechnic University", "hong-kong-polytechnic-university"),
    ("The Hong Kong University of Science and Technology", "hkust"),
    ("The Pennsylvania State University", "penn-state"),
    ("The University of British Columbia", "ubc"),
    ("The University of Hong Kong", "university-of-hong-kong"),
    ("The University of Texas at Austin", "ut-austin"),
    ("Tsinghua Shenzhen International Graduate School", "tsinghua-sigs"),
    ("Tsinghua University", "tsinghua-university"),
    ("Tufts University", "tufts-university"),
    ("UC Berkeley", "uc-berkeley"),
    ("UC Irvine", "uc-irvine"),
    ("UC San Diego", "uc-san-diego"),
    ("UC Santa Barbara", "uc-santa-barbara"),
    ("UCLA", "ucla"),
    ("UCSB", "uc-santa-barbara"),
    ("UIUC", "uiuc"),
    ("UT Austin", "ut-austin"),
    ("UT-Austin", "ut-austin"),
    ("UW-Madison", "uw-madison"),
    ("Uber", "uber"),
    ("Uber Technologies", "uber"),
    ("University at Buffalo, SUNY", "university-at-buffalo"),
    ("University of British Columbia", "ubc"),
    ("University of California San Diego", "uc-san-diego"),
    ("University of California, Berkeley", "uc-berkeley"),
    ("University of California, Los Angeles", "ucla"),
    ("University of California, Merced", "uc-merced"),
    ("University of California, Santa Barbara", "uc-santa-barbara"),
    ("University of California, Santa Cruz", "uc-santa-cruz"),
    ("University of Chicago", "university-of-chicago"),
    ("University of Colorado Boulder", "university-of-colorado-boulder"),
    ("University of Colorado Denver", "university-of-colorado-denver"),
    ("University of Connecticut", "university-of-connecticut"),
    ("University of Edinburgh", "university-of-edinburgh"),
    ("University of Haifa", "university-of-haifa"),
    ("University of Illinois Urbana-Champaign", "uiuc"),
    ("University of Illinois Urbana–Champaign", "uiuc"),
    ("University of Illinois at Urbana–Champaign", "uiuc"),
    ("University of Illinois, Urbana-Champaign", "uiuc"),
    ("University of Iowa", "university-of-iowa"),
    ("University of Maryland", "university-of-maryland"),
    ("University of Michigan", "university-of-michigan"),
    ("University of Michigan Ann Arbor", "university-of-michigan"),
    ("University of Nevada, Reno", "university-of-nevada-reno"),
    ("University of Pennsylvania", "university-of-pennsylvania"),
    ("University of Science and Technology of China", "ustc"),
    ("University of Seoul", "university-of-seoul"),
    ("University of Southern California", "university-of-southern-california"),
    ("University of Strasbourg", "university-of-strasbourg"),
    ("University of Texas at Austin", "ut-austin"),
    ("University of Toronto", "university-of-toronto"),
    ("University of Utah", "university-of-utah"),
    ("University of Virginia", "university-of-virginia"),
    ("University of Washington", "university-of-washington"),
    ("University of Waterloo", "university-of-waterloo"),
    ("University of Wisconsin – Madison", "uw-madison"),
    ("University of Wisconsin-Madison", "uw-madison"),
    ("University of Wisconsin–Madison", "uw-madison"),
    ("Università della Svizzera italiana", "universita-della-svizzera-italiana"),
    ("Vrije Universiteit Amsterdam", "vu-amsterdam"),
    ("Wayne State University", "wayne-state-university"),
    ("Wuhan University", "wuhan-university"),
    ("Wuxi Institute of Technology", "wuxi-institute-of-technology"),
    ("Xi'an Jiaotong University", "xian-jiaotong-university"),
    ("Xiamen University", "xiamen-university"),
    ("Xidian University", "xidian-university"),
    ("Yangzhou University", "yangzhou-university"),
    ("Zhejiang Lab", "zhejiang-lab"),
    ("Zhejiang University", "zhejiang-university"),
    ("Zhongguancun Academy", "zhongguancun-academy"),
    (
        "Zhongguancun Institute of Artificial Intelligence",
        "zhongguancun-institute-of-artificial-intelligence",
    ),
    ("Zhongguancun Laboratory", "zhongguancun-laboratory"),
    ("harnets.ai", "harnets-ai"),
    ("xAI", "xai"),
]

# Organizations named in Alireza Farshin's CV, as printed (units in their "X at Y" form).
PRINTED_IN_CV: list[tuple[str, str]] = [
    ("NVIDIA", "nvidia"),
    (
        "Networking Software & Systems Research Team at NVIDIA",
        "nvidia-networking-software-systems-research",
    ),
    ("RISE Research Institutes of Sweden", "rise"),
    (
        "Connected Intelligence Unit at RISE Research Institutes of Sweden",
        "rise-connected-intelligence",
    ),
    ("KTH", "kth"),
    ("KTH Royal Institute of Technology", "kth"),
    ("Network Systems Laboratory (NSLab) at KTH", "kth-nslab"),
    ("ICT Doctoral Programme Council at KTH", "kth-ict-doctoral-programme-council"),
    ("Mobile Telecommunication Company of Iran (MCCI)", "mobile-telecommunication-company-of-iran"),
    ("CafeYab", "cafeyab"),
    ("Informatics Services Corporation (ISC)", "informatics-services-corporation"),
    ("Amirkabir University of Technology", "amirkabir-university-of-technology"),
    ("Sharif University of Technology", "sharif-university-of-technology"),
    ("RISE AB", "rise"),
    ("Saab AB", "saab"),
    ("RedHat AB", "red-hat-ab"),
    ("Vinnova", "vinnova"),
    ("Google", "google"),
    ("Digital Futures", "digital-futures"),
    ("Ericsson", "ericsson"),
    ("Cisco Engineering Switzerland", "cisco-engineering-switzerland"),
    ("IRTF", "irtf"),
    ("IETF", "ietf"),
    ("WIPO", "wipo"),
    ("Intel", "intel"),
]


def _entry(
    org_id: str,
    name: str,
    *,
    aliases: tuple[str, ...] = (),
    kind: str = "academic",
    country: str | None = "US",
    parent: str | None = None,
) -> dict[str, Any]:
    return {
        "id": org_id,
        "name": name,
        "aliases": list(aliases),
        "kind": kind,
        "country": country,
        "parent": parent,
        "source": "test",
    }


def _registry_dict(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "source_note": "test", "organizations": list(entries)}


def _registry(*entries: dict[str, Any]) -> OrgRegistry:
    return parse_registry(yaml.safe_dump(_registry_dict(*entries), allow_unicode=True))


def _registry_with(*names: str) -> OrgRegistry:
    """A registry with one alias-less entry per name."""
    return _registry(*(_entry(f"org-{i}", name) for i, name in enumerate(names)))


# ----------------------------------------------------------------------------- registry file


def test_registry_file_parses_as_version_1() -> None:
    """The curated file is a valid version-1 registry."""
    assert REGISTRY.version == 1


def test_registry_accepts_the_parsed_mapping_too() -> None:
    """registry_from_dict builds the same registry as parse_registry."""
    assert registry_from_dict(yaml.safe_load(REGISTRY_TEXT)) == REGISTRY


@pytest.mark.parametrize(("printed", "org_id"), PRINTED_ON_PAGE)
def test_every_organization_printed_on_the_page_resolves(printed: str, org_id: str) -> None:
    """Each organization string of the NSDI '26 page resolves to its reviewed entry."""
    assert match_org(printed, REGISTRY).org_id == org_id


@pytest.mark.parametrize(("printed", "org_id"), PRINTED_IN_CV)
def test_every_organization_named_in_the_cv_resolves(printed: str, org_id: str) -> None:
    """Each organization named in the CV resolves to its entry."""
    assert match_org(printed, REGISTRY).org_id == org_id


def test_only_the_typo_on_the_page_needs_fuzzy_matching() -> None:
    """Everything printed resolves without fuzzy matching except the one typo."""
    fuzzy = [p for p, _ in PRINTED_ON_PAGE if match_org(p, REGISTRY).method == "fuzzy"]
    assert fuzzy == ["Nanyang Technology University"]


@pytest.mark.parametrize("printed", ["unaffiliated", "Independent Researcher"])
def test_non_organizations_are_not_in_the_registry(printed: str) -> None:
    """'unaffiliated' and 'Independent Researcher' are not organizations."""
    assert match_org(printed, REGISTRY).method == "unresolved"


def test_the_typo_is_not_listed_as_an_alias() -> None:
    """The misprint 'Nanyang Technology University' is left to the fuzzy matcher."""
    assert "Nanyang Technology University" not in REGISTRY.known_strings()


def test_no_registry_string_fuzzy_matches_another_entry() -> None:
    """Removing an entry leaves its strings unresolved: no two entries are fuzzy twins."""
    leaks = []
    for entry in REGISTRY.entries:
        others = tuple(
            dataclasses.replace(e, parent=None) if e.parent == entry.id else e
            for e in REGISTRY.entries
            if e.id != entry.id
        )
        rest = OrgRegistry(entries=others, source_note="test")
        leaks += [(s, match_org(s, rest).org_id) for s in entry.strings()]
    assert [leak for leak in leaks if leak[1] is not None] == []


# ----------------------------------------------------------------------------- matching ladder


def test_exact_canonical_name() -> None:
    """The canonical name matches exactly with score 100."""
    assert match_org("Peking University", REGISTRY) == OrgMatch(
        "Peking University", "peking-university", "exact", 100.0, "Peking University"
    )


def test_exact_alias() -> None:
    """A listed alias matches as an alias."""
    assert match_org("PKU", REGISTRY) == OrgMatch("PKU", "peking-university", "alias", 100.0, "PKU")


def test_normalized_match_reports_the_registry_string() -> None:
    """A punctuation variant matches by normalization and names the string it matched."""
    assert match_org("University of Illinois, Urbana-Champaign", REGISTRY) == OrgMatch(
        "University of Illinois, Urbana-Champaign",
        "uiuc",
        "normalized",
        100.0,
        "University of Illinois Urbana-Champaign",
    )


@pytest.mark.parametrize(
    ("variants", "org_id"),
    [
        (
            [
                "UT Austin",
                "UT-Austin",
                "The University of Texas at Austin",
                "University of Texas at Austin",
            ],
            "ut-austin",
        ),
        (
            [
                "UIUC",
                "University of Illinois Urbana-Champaign",
                "University of Illinois, Urbana-Champaign",
                "University of Illinois Urbana–Champaign",
                "University of Illinois at Urbana–Champaign",
            ],
            "uiuc",
        ),
        (["KAUST", "King Abdullah University of Science and Technology"], "kaust"),
        (["Tencent", "Tencent Inc."], "tencent"),
        (["ByteDance", "ByteDance Inc.", "Bytedance Inc.", "Bytedance"], "bytedance"),
        (
            [
                "University of Wisconsin–Madison",
                "University of Wisconsin-Madison",
                "University of Wisconsin – Madison",
                "UW-Madison",
            ],
            "uw-madison",
        ),
        (["KTH", "KTH Royal Institute of Technology"], "kth"),
    ],
)
def test_printed_variants_resolve_to_one_entry(variants: list[str], org_id: str) -> None:
    """All printed variants of an organization resolve to the same entry."""
    assert {match_org(v, REGISTRY).org_id for v in variants} == {org_id}


@pytest.mark.parametrize(
    ("printed", "expected_ancestors"),
    [
        ("MIT CSAIL", ("mit",)),
        ("School of Computer Science, Peking University", ("peking-university",)),
        ("Microsoft Research Asia", ("microsoft-research", "microsoft")),
        ("Google DeepMind", ("google",)),
        ("NICE Lab, XMU", ("xiamen-university",)),
        ("Tsinghua Shenzhen International Graduate School", ("tsinghua-university",)),
        (
            "Key Laboratory of High Confidence Software Technologies, Ministry of Education (PKU)",
            ("peking-university",),
        ),
        (
            "School of Computer Science and Technology, University of Chinese Academy of Sciences",
            ("ucas", "chinese-academy-of-sciences"),
        ),
        (
            "Computer Network Information Center, Chinese Academy of Sciences",
            ("chinese-academy-of-sciences",),
        ),
        ("Huawei Technologies Canada", ("huawei",)),
    ],
)
def test_units_have_their_parent_chain(printed: str, expected_ancestors: tuple[str, ...]) -> None:
    """A unit resolves to its own entry whose ancestors are the enclosing organizations."""
    org_id = match_org(printed, REGISTRY).org_id
    assert org_id is not None and ancestors(org_id, REGISTRY) == expected_ancestors


def test_root_organization_has_no_ancestors() -> None:
    """A root entry has an empty ancestor chain."""
    assert ancestors("peking-university", REGISTRY) == ()


def test_ancestors_of_an_unknown_id_raise_key_error() -> None:
    """ancestors() refuses an id that is not in the registry."""
    with pytest.raises(KeyError, match="no-such-org"):
        ancestors("no-such-org", REGISTRY)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("The Chinese University of Hong Kong", "The Chinese University of Hong Kong, Shenzhen"),
        ("Zhongguancun Laboratory", "Zhongguancun Academy"),
        ("Northeastern University", "Northwestern University"),
        ("Microsoft Research", "Microsoft Research Asia"),
        ("Huawei Technologies", "Huawei Technologies Canada"),
        ("NICE Lab, XMU", "NICE Lab, SJTU"),
    ],
)
def test_look_alikes_are_separate_entries(first: str, second: str) -> None:
    """Organizations with similar names resolve to different entries."""
    assert match_org(first, REGISTRY).org_id != match_org(second, REGISTRY).org_id


def test_northeastern_university_is_the_one_in_shenyang() -> None:
    """The page's Northeastern University (co-authors in Shenyang) is the Chinese one."""
    org_id = match_org("Northeastern University", REGISTRY).org_id
    assert org_id is not None and REGISTRY.get(org_id).country == "CN"


def test_typo_fuzzy_matches_the_right_university() -> None:
    """'Nanyang Technology University' fuzzy-matches Nanyang Technological University."""
    match = match_org("Nanyang Technology University", REGISTRY)
    assert (match.org_id, match.method, match.candidate) == (
        "nanyang-technological-university",
        "fuzzy",
        "Nanyang Technological University",
    )


def test_fuzzy_score_is_reported() -> None:
    """A fuzzy match carries its fuzz.ratio score, which is below 100."""
    assert 90.0 <= match_org("Nanyang Technology University", REGISTRY).score < 100.0


def test_fuzzy_threshold_is_honoured() -> None:
    """Raising the threshold above a candidate's score leaves the string unresolved."""
    match = match_org("Nanyang Technology University", REGISTRY, fuzzy_threshold=95.0)
    assert match.org_id is None


@pytest.mark.parametrize(
    ("typo", "org_id"),
    [
        ("Univeristy of Washington", "university-of-washington"),
        ("Northeastern Universty", "northeastern-university-china"),
        ("Northwestern Universty", "northwestern-university"),
        ("Zhongguancun Labratory", "zhongguancun-laboratory"),
        ("Microsoft Reserch Asia", "microsoft-research-asia"),
    ],
)
def test_one_letter_typos_fuzzy_match_their_own_entry(typo: str, org_id: str) -> None:
    """A one-edit typo in a long word matches the entry it misspells, not its look-alike."""
    assert match_org(typo, REGISTRY).org_id == org_id


@pytest.mark.parametrize(
    ("registered", "printed"),
    [
        ("Northwestern University", "Northeastern University"),
        ("Northeastern University", "Northwestern University"),
        ("Zhongguancun Academy", "Zhongguancun Laboratory"),
        ("Zhongguancun Laboratory", "Zhongguancun Academy"),
        ("The Chinese University of Hong Kong", "The Chinese University of Hong Kong, Shenzhen"),
        ("The Chinese University of Hong Kong, Shenzhen", "The Chinese University of Hong Kong"),
        ("Microsoft Research", "Microsoft Research Asia"),
        ("Hunan University", "Henan University"),
        ("Technical University of Munich", "Technological University of Munich"),
        ("Informatics Services Corporation", "Information Services Corporation"),
        ("Lab 1 University", "Lab 2 University"),
    ],
)
def test_look_alike_never_fuzzy_matches_the_registered_twin(registered: str, printed: str) -> None:
    """With only one of two look-alikes registered, the other stays unresolved."""
    assert match_org(printed, _registry_with(registered)).org_id is None


def test_look_alike_score_alone_would_have_matched() -> None:
    """The guard, not the score, stops Northeastern/Northwestern: the score is above threshold."""
    match = match_org("Northeastern University", _registry_with("Northwestern University"))
    assert (match.method, match.score > 92.0) == ("unresolved", True)


def test_unresolved_reports_the_closest_candidate() -> None:
    """An unresolved string names the closest registry string for a curator to review."""
    match = match_org("Henan University", _registry_with("Hunan University"))
    assert match.candidate == "Hunan University"


def test_candidates_of_two_entries_make_the_string_ambiguous() -> None:
    """When fuzzy candidates of two entries both pass, the string is left unresolved."""
    registry = _registry_with("Alpha Technological Institute", "Alpha Technologies Institute")
    assert match_org("Alpha Technology Institute", registry).method == "unresolved"


@pytest.mark.parametrize("printed", ["", "   ", "The", "—", "(), ;"])
def test_strings_that_normalize_to_nothing_are_unresolved(printed: str) -> None:
    """Empty or punctuation-only strings are unresolved with no candidate."""
    assert match_org(printed, REGISTRY) == OrgMatch(printed, None, "unresolved", 0.0, None)


@pytest.mark.parametrize("threshold", [0.0, -1.0, 100.5])
def test_fuzzy_threshold_outside_range_is_rejected(threshold: float) -> None:
    """fuzzy_threshold must lie in (0, 100]."""
    with pytest.raises(ValueError, match="fuzzy_threshold"):
        match_org("Peking University", REGISTRY, fuzzy_threshold=threshold)


# ----------------------------------------------------------------------------- normalize_org


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PEKING University", "peking university"),
        ("The University of Texas at Austin", "university of texas at austin"),
        ("University of California, Berkeley", "university of california berkeley"),
        ("University of Wisconsin-Madison", "university of wisconsin madison"),
        ("University of Wisconsin–Madison", "university of wisconsin madison"),
        ("University of Wisconsin – Madison", "university of wisconsin madison"),
        ("Univ. of Washington", "university of washington"),
        ("Dept. of EE, Sharif Univ.", "department of ee sharif university"),
        ("NEC Labs", "nec laboratories"),
        ("Università della Svizzera italiana", "universita della svizzera italiana"),
        ("Oğuzhan Çölkesen Işıl Bøgh", "oguzhan colkesen isil bogh"),
        ("  Peking\tUniversity \n", "peking university"),
        ("Xi'an Jiaotong University", "xian jiaotong university"),
        ("Politecnico di Milano & Queen Mary", "politecnico di milano and queen mary"),
        (
            "China Telecom Cybersecurity Technology Co.,Ltd.",
            "china telecom cybersecurity technology co limited",
        ),
        (
            "National Institute of Standards and Technology (NIST)",
            "national institute of standards and technology nist",
        ),
    ],
)
def test_normalize_org_examples(text: str, expected: str) -> None:
    """normalize_org folds case, The, punctuation, dashes, abbreviations, diacritics, spaces."""
    assert normalize_org(text) == expected


@pytest.mark.parametrize(
    "printed",
    ["Tsing\u200bhua University", "\ufeffTsinghua University", "Tsinghua Uni\u00adversity"],
)
def test_normalize_org_drops_invisible_characters(printed: str) -> None:
    """A zero-width space, BOM or soft hyphen inside an organization is no word break (2026-12)."""
    assert normalize_org(printed) == normalize_org("Tsinghua University")


def test_normalize_org_keeps_words_apart() -> None:
    """Normalization never joins words: 'Peng Cheng' and 'Pengcheng' stay different."""
    assert normalize_org("Peng Cheng Laboratory") != normalize_org("Pengcheng Laboratory")


def test_abbreviation_expansions_are_not_abbreviations_themselves() -> None:
    """No expansion is itself expanded again, which keeps normalize_org idempotent."""
    assert set(ABBREVIATIONS.values()).isdisjoint(ABBREVIATIONS)


def test_known_strings_are_names_and_aliases() -> None:
    """known_strings() holds canonical names and aliases exactly as written."""
    assert {"Peking University", "PKU", "UT Austin"} <= REGISTRY.known_strings()


def test_known_strings_leave_punctuation_variants_to_normalization() -> None:
    """A dash variant is not a known string, but its normalized form is known."""
    assert (
        "UT-Austin" in REGISTRY.known_strings(),
        normalize_org("UT-Austin") in REGISTRY.known_normalized(),
    ) == (
        False,
        True,
    )


# ----------------------------------------------------------------------------- validation


def _dup_id(d: dict[str, Any]) -> None:
    d["organizations"].append(_entry("alpha", "Other Alpha"))


def _dup_alias(d: dict[str, Any]) -> None:
    d["organizations"].append(_entry("beta", "Beta University", aliases=("AU",)))


def _dup_normalized(d: dict[str, Any]) -> None:
    d["organizations"].append(_entry("beta", "Beta University", aliases=("alpha-university",)))


def _unknown_parent(d: dict[str, Any]) -> None:
    d["organizations"].append(_entry("alpha-lab", "Alpha Lab", parent="nowhere"))


def _cycle(d: dict[str, Any]) -> None:
    d["organizations"][0]["parent"] = "alpha-lab"
    d["organizations"].append(_entry("alpha-lab", "Alpha Lab", parent="alpha"))


def _self_parent(d: dict[str, Any]) -> None:
    d["organizations"][0]["parent"] = "alpha"


def _bad_country(d: dict[str, Any]) -> None:
    d["organizations"][0]["country"] = "UK"


def _lower_country(d: dict[str, Any]) -> None:
    d["organizations"][0]["country"] = "us"


def _bad_kind(d: dict[str, Any]) -> None:
    d["organizations"][0]["kind"] = "university"


def _bad_id(d: dict[str, Any]) -> None:
    d["organizations"][0]["id"] = "Alpha_University"


def _missing_field(d: dict[str, Any]) -> None:
    del d["organizations"][0]["source"]


def _unknown_field(d: dict[str, Any]) -> None:
    d["organizations"][0]["website"] = "https://example.org"


def _alias_repeats_name(d: dict[str, Any]) -> None:
    d["organizations"][0]["aliases"] = ["Alpha University"]


def _aliases_not_list(d: dict[str, Any]) -> None:
    d["organizations"][0]["aliases"] = "AU"


def _bad_version(d: dict[str, Any]) -> None:
    d["version"] = 2


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_dup_id, "entry 'alpha': id is used by two entries"),
        (_dup_alias, "entry 'beta': name or alias 'AU' is already used by entry 'alpha'"),
        (_dup_normalized, "entry 'beta': 'alpha-university' normalizes to 'alpha university'"),
        (_unknown_parent, "entry 'alpha-lab': unknown parent 'nowhere'"),
        (_cycle, "parent cycle"),
        (_self_parent, "entry 'alpha': parent cycle alpha -> alpha"),
        (_bad_country, "(id 'alpha'): country must be an ISO 3166-1 alpha-2 code, got 'UK'"),
        (_lower_country, "(id 'alpha'): country must be an ISO 3166-1 alpha-2 code"),
        (_bad_kind, "(id 'alpha'): kind must be one of"),
        (_bad_id, "id must be a kebab-case slug"),
        (_missing_field, "(id 'alpha'): missing fields ['source']"),
        (_unknown_field, "(id 'alpha'): missing fields [], unknown fields ['website']"),
        (_alias_repeats_name, "(id 'alpha'): aliases repeat each other or the name"),
        (_aliases_not_list, "(id 'alpha'): aliases must be a list"),
        (_bad_version, "version must be 1"),
    ],
)
def test_invalid_registry_is_rejected_naming_the_entry(
    mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    """Registry validation raises ValueError whose message locates the problem."""
    data = _registry_dict(_entry("alpha", "Alpha University", aliases=("AU",)))
    mutate(data)
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_registry(yaml.safe_dump(data, allow_unicode=True))


def test_valid_small_registry_is_accepted() -> None:
    """The base registry used by the validation tests is itself valid."""
    assert len(_registry(_entry("alpha", "Alpha University", aliases=("AU",)))) == 1


def test_null_country_is_allowed() -> None:
    """country may be null for international organizations or unknown countries."""
    registry = _registry(_entry("alpha", "Alpha Task Force", country=None, kind="nonprofit"))
    assert registry.get("alpha").country is None


def test_text_that_is_not_yaml_is_rejected() -> None:
    """Unparseable YAML raises ValueError, not a YAML library error."""
    with pytest.raises(ValueError, match="not valid YAML"):
        parse_registry("organizations: [unclosed")


def test_registry_without_organizations_is_rejected() -> None:
    """A registry must list at least one organization."""
    with pytest.raises(ValueError, match="organizations"):
        parse_registry("version: 1\nsource_note: x\norganizations: []\n")
