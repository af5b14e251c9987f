"""What is compared between two records, described once as data: field, levels, phrases, prior odds.

Each `Comparison` turns one normalised column of a pair into a level: the first `Level` whose test
passes, most similar first, the last one catching everything else. A level carries the phrase a
reviewer reads ("same zip", "different town") and prior m / u probabilities (how often a true
duplicate / an unrelated pair lands there). The priors only matter on small record sets: on real
data `fellegi_sunter.fit` learns u from random pairs and m by EM, from the records being matched.

Odoo rules that are data, not code paths:
  * `person_inherits`: a contact person's value that equals its parent company's (VAT, address,
    company e-mail domain, switchboard phone) is no evidence about the person: it compares as missing.
  * `only`: a comparison that applies to one kind of pair ("persons": neither is a company;
    "companies": both are), missing for the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Test kinds understood by fellegi_sunter.levels (see `similarity` there):
#   exact            a == b
#   reordered        same words in any order, or equal once spaces are removed
#   subset           every word of the shorter is a word of the longer (a missing given name)
#   jaro_winkler     Jaro-Winkler similarity >= threshold
#   token_sort       rapidfuzz token_sort_ratio / 100 >= threshold: a typo in any word, words in any order
#   ratio            normalised Indel similarity (rapidfuzz fuzz.ratio / 100) >= threshold
#   levenshtein      Levenshtein distance <= threshold (zip codes: one digit off)
#   same_number      the house / project numbers are equal and the rest is >= threshold similar (ratio)
#   initials         the same words, some written as their initial ("Maria M." / "Maria Machado")
#   else             always (the last level)


@dataclass(frozen=True)
class Level:
    label: str  # short key, stored with the pair
    phrase: str  # what a reviewer reads
    test: str
    threshold: float = 0.0
    m: float = 0.1  # prior P(level | duplicate)
    u: float = 0.1  # prior P(level | not a duplicate)


@dataclass(frozen=True)
class Comparison:
    name: str  # the Odoo field shown to the reviewer
    column: str  # the normalised column of the record table
    levels: tuple[Level, ...]
    term_frequency: bool = False  # exact agreement on a rare value weighs more than on a common one
    person_inherits: bool = False
    only: str = ""  # "persons" | "companies" | "not_persons" | "" (every pair)
    fixed: bool = False  # m and u are the priors, never learnt (a rule's weight, not a measurement)
    # A comparison whose exact agreement may already imply this one's (a zip's town): on such pairs this
    # one's agreement counts only by what it adds, u counted on random pairs that agree on `within`.
    within: str = ""
    graded: bool = False  # inside a similarity level, a closer pair weighs up to half-way to the level above
    # A comparison whose exact agreement implies this one's (the e-mail of the e-mail's domain): on such
    # pairs this one is missing, or one fact would count twice.
    implied_by: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _else(phrase: str, m: float, u: float) -> Level:
    return Level("else", phrase, "else", m=m, u=u)


PARTNER_COMPARISONS: tuple[Comparison, ...] = (
    Comparison("name", "core", (
        Level("exact", "same name", "exact", m=0.70, u=0.0005),
        Level("reordered", "same name words in another order", "reordered", m=0.06, u=0.0002),
        Level("one_edit", "names one letter apart", "levenshtein", 1, m=0.08, u=0.0005),
        Level("typo", "names a few letters apart", "token_sort", 0.88, m=0.06, u=0.002),
        Level("subset", "one name contains the other", "subset", m=0.04, u=0.003),
        Level("close", "similar names", "token_sort", 0.75, m=0.05, u=0.03),
        Level("initials", "one name abbreviates a word to its initial", "initials", m=0.02, u=0.001),
        _else("different names", m=0.03, u=0.96),
    ), term_frequency=True, graded=True),
    Comparison("vat", "vat", (
        Level("exact", "same VAT", "exact", m=0.95, u=0.001),
        _else("different VAT", m=0.05, u=0.999),
    ), person_inherits=True),
    Comparison("company_registry", "registry", (
        Level("exact", "same registry number", "exact", m=0.95, u=0.001),
        _else("different registry number", m=0.05, u=0.999),
    ), only="companies"),
    Comparison("email", "email", (
        Level("exact", "same e-mail", "exact", m=0.6, u=0.0005),
        _else("different e-mail", m=0.4, u=0.9995),
    ), only="not_persons"),
    # A person's own e-mail (a company shares info@ among its people): two persons with two different
    # addresses are two people, whatever the name says. A rule, not learnt: most blocked person pairs
    # are namesakes, so EM would call "different e-mail" common among duplicates.
    Comparison("private_email", "email", (
        Level("exact", "same e-mail", "exact", m=0.7, u=0.0005),
        _else("different e-mail", m=0.01, u=0.9995),
    ), only="persons", fixed=True),
    Comparison("email_domain", "domain", (
        Level("exact", "same company e-mail domain", "exact", m=0.9, u=0.005),
        _else("different e-mail domain", m=0.1, u=0.995),
    ), person_inherits=True, only="companies", implied_by="email"),
    Comparison("phone", "phone_tail", (
        Level("exact", "same phone", "exact", m=0.8, u=0.001),
        _else("different phone", m=0.2, u=0.999),
    ), person_inherits=True),
    Comparison("street", "street", (
        Level("exact", "same street", "exact", m=0.65, u=0.002),
        Level("typo", "street one typo apart", "same_number", 0.80, m=0.2, u=0.001),
        Level("close", "similar street", "ratio", 0.80, m=0.1, u=0.01),
        _else("different street", m=0.05, u=0.987),
    ), person_inherits=True),
    Comparison("zip", "zip", (
        Level("exact", "same zip", "exact", m=0.85, u=0.01),
        Level("typo", "zip one digit off", "levenshtein", 1, m=0.08, u=0.05),
        _else("different zip", m=0.07, u=0.94),
    ), person_inherits=True),
    Comparison("city", "city", (
        Level("exact", "same town", "exact", m=0.85, u=0.02),
        Level("typo", "town one typo apart", "jaro_winkler", 0.90, m=0.08, u=0.01),
        _else("different town", m=0.07, u=0.97),
    ), person_inherits=True, within="zip"),
    Comparison("country_id", "country", (
        Level("exact", "same country", "exact", m=0.97, u=0.2),
        _else("different country", m=0.03, u=0.8),
    )),
    Comparison("ref", "ref", (
        Level("exact", "same reference", "exact", m=0.9, u=0.0005),
        _else("different reference", m=0.1, u=0.9995),
    )),
    # Two contacts of one company are mostly colleagues: the same parent barely argues for a match,
    # one under another company is another contact (about -8.5 bits). Random pairs would make "same
    # parent" look decisive.
    Comparison("parent_id", "parent_key", (
        Level("exact", "same parent company", "exact", m=0.998, u=0.3),
        _else("different parent company", m=0.002, u=0.7),
    ), only="persons", fixed=True),
)



@dataclass(frozen=True)
class TrainingSession:
    """One EM run, as splink trains: on the pairs of some blocking keys, without the comparisons those
    keys already force to agree. Pairs found by a similar name teach what an address match looks like,
    pairs found by the address teach the names; no comparison is learnt from pairs chosen for it."""

    name: str
    keys: tuple[str, ...]
    without: tuple[str, ...]


PARTNER_SESSIONS: tuple[TrainingSession, ...] = (
    TrainingSession("name", ("name_words_sorted", "name_metaphone", "name_prefix", "name_suffix", "name_rare_word",
                             "name_word_phonetic"), ("name",)),
    TrainingSession("address", ("zip_house_number", "street", "zip_street_name"),
                    ("street", "zip", "city", "country_id")),
    TrainingSession("identifiers", ("vat", "email", "email_domain", "phone_tail"),
                    ("vat", "email", "private_email", "email_domain", "phone", "company_registry")),
)

# Which pairs share one set of learnt parameters: a person entered twice and a company entered twice
# leave different traces (a company's VAT is its own, a person's is usually its employer's).
PARTNER_SEGMENTS = ("persons", "companies", "mixed")
PARTNER_PRIOR = 0.05  # prior share of duplicates among the blocked pairs


def comparison_names(comparisons: tuple[Comparison, ...]) -> list[str]:
    return [c.name for c in comparisons]
