"""Text rules of the dictionary: how words are compared, and where they are found in a text (no database)."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects.dictionary_text import (
    Match,
    Matcher,
    Phrase,
    leftmost_longest,
    line_and_column,
    normalize,
    normalize_mapped,
    split_list,
    unique_items,
)


def _found(matcher: Matcher, text: str) -> list[tuple[str, int, int, object]]:
    """What a reader checks: the words as written, where they are, and whose they are."""
    return [(m.text, m.start, m.end, m.phrase.owner) for m in matcher.find(text)]


def _terms(*names: str) -> Matcher:
    return Matcher(Phrase(name, "term", name) for name in names)


# --- normalize -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ＡＰＩ", "api"),  # full-width letters
        ("API", "api"),
        ("Api", "api"),
        ("ｶﾞｲﾄﾞ", "ガイド"),  # half-width katakana, voiced marks composed
        ("１２３", "123"),
        ("  保険金\u3000\u3000支払 \n", "保険金 支払"),  # ideographic space, runs of white space, ends stripped
        ("Claim\t\tpayment", "claim payment"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),  # casefold, not just lower()
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_is_the_one_comparison_form(typed, expected):
    assert normalize(typed) == expected


def test_full_width_and_half_width_spellings_compare_equal():
    assert normalize("ＡＰＩ連携") == normalize("API連携") == normalize("api連携")
    assert normalize("ｶﾞｲﾄﾞﾗｲﾝ") == normalize("ガイドライン")
    assert normalize("보험금") == normalize("보험금")  # Hangul is left as it is
    assert normalize("保険金") != normalize("保険料")


# --- lists typed into one box ------------------------------------------------------------------------------


def test_split_list_takes_lines_and_both_kinds_of_semicolon():
    assert split_list("契約者\n加入者;被保険者；受取人") == ["契約者", "加入者", "被保険者", "受取人"]


def test_split_list_strips_items_and_drops_empty_ones():
    assert split_list("  payout \n\n ; ；\r\n claim payment  ") == ["payout", "claim payment"]
    assert split_list("") == []
    assert split_list(None) == []


def test_unique_items_keeps_the_first_spelling_in_order():
    assert unique_items(["API", "契約者", "ＡＰＩ", " api ", "契約者", "Payout"]) == ["API", "契約者", "Payout"]


def test_unique_items_drops_blank_items_and_strips_the_kept_ones():
    assert unique_items(["  ", "", " 保険金 ", "保険金"]) == ["保険金"]


# --- normalize_mapped --------------------------------------------------------------------------------------


def test_normalize_mapped_points_each_character_back_to_the_original():
    text = "ｶﾞｲﾄﾞ  ＡＰＩ"
    norm, starts, ends = normalize_mapped(text)
    assert norm == "ガイド api"
    # ガ and ド come from two half-width characters each (kana + voiced mark); the run of spaces becomes one
    assert list(zip(norm, starts, ends, strict=True)) == [
        ("ガ", 0, 2), ("イ", 2, 3), ("ド", 3, 5), (" ", 5, 6), ("a", 7, 8), ("p", 8, 9), ("i", 9, 10),
    ]  # fmt: skip
    assert [text[s:e] for s, e in zip(starts, ends, strict=True)] == ["ｶﾞ", "ｲ", "ﾄﾞ", " ", "Ａ", "Ｐ", "Ｉ"]


def test_normalize_mapped_drops_leading_and_trailing_white_space():
    norm, starts, ends = normalize_mapped("\n  保険金\t")
    assert (norm, starts, ends) == ("保険金", [3, 4, 5], [4, 5, 6])


def test_normalize_mapped_maps_a_character_that_expands_to_several_to_itself():
    norm, starts, ends = normalize_mapped("ﬁle")  # the ligature ﬁ is two letters
    assert (norm, starts, ends) == ("file", [0, 0, 1, 2], [1, 1, 2, 3])


@pytest.mark.parametrize(
    "text",
    [
        "e\u0301",  # e + combining acute: one letter é
        "ｶﾞｲﾄﾞ の ﾊﾟｽ",
        "Ｃｌａｉｍ  ｐａｙｍｅｎｔ",
        "x ´ y",  # a spacing accent after a space: NFKC turns ´ into a space + combining accent
        "¸",  # the same, at the start of the text
    ],
)
def test_normalize_mapped_gives_the_same_text_as_normalize(text):
    """Its docstring promises :func:`normalize` of the text (search compares the two)."""
    assert normalize_mapped(text)[0] == normalize(text)


# --- Matcher.find --------------------------------------------------------------------------------------------


def test_overlapping_and_nested_terms_are_all_found_with_their_positions():
    matcher = _terms("保険金", "保険金支払", "支払", "手続き")
    assert _found(matcher, "保険金支払の手続き") == [
        ("保険金支払", 0, 5, "保険金支払"),  # longest first at the same start
        ("保険金", 0, 3, "保険金"),
        ("支払", 3, 5, "支払"),
        ("手続き", 6, 9, "手続き"),
    ]


def test_every_occurrence_is_found():
    assert _found(_terms("保険金"), "保険金と保険金") == [("保険金", 0, 3, "保険金"), ("保険金", 4, 7, "保険金")]


def test_a_latin_phrase_matches_whole_words_only():
    matcher = _terms("API", "claim")
    assert _found(matcher, "rapid capital reclaim") == []
    assert _found(matcher, "rapid API") == [("API", 6, 9, "API")]
    assert _found(matcher, "API-first, (api).") == [("API", 0, 3, "API"), ("api", 12, 15, "API")]


def test_an_english_plural_is_found_as_the_phrase():
    matcher = _terms("claim", "process", "API")
    assert _found(matcher, "Claims processes APIs") == [
        ("Claims", 0, 6, "claim"),
        ("processes", 7, 16, "process"),
        ("APIs", 17, 21, "API"),
    ]
    assert _found(matcher, "claimss claimed processing") == []


def test_a_latin_phrase_of_several_words_spans_any_white_space():
    assert _found(_terms("claim payment"), "The Claim\n   Payment is due.") == [("Claim\n   Payment", 4, 20, "claim payment")]


def test_japanese_chinese_and_korean_phrases_match_anywhere():
    matcher = _terms("保険金", "보험금", "理赔")
    assert _found(matcher, "未払保険金の請求") == [("保険金", 2, 5, "保険金")]
    assert _found(matcher, "보험금을 지급합니다") == [("보험금", 0, 3, "보험금")]  # the particle 을 is attached
    assert _found(matcher, "快速理赔流程") == [("理赔", 2, 4, "理赔")]


def test_full_width_text_finds_the_ascii_phrase_at_its_original_position():
    assert _found(_terms("API"), "ＡＰＩ連携") == [("ＡＰＩ", 0, 3, "API")]
    assert _found(_terms("API連携"), "外部ＡＰＩ連携") == [("ＡＰＩ連携", 2, 7, "API連携")]


def test_half_width_katakana_is_found_with_both_original_characters_of_a_voiced_kana():
    assert _found(_terms("ガイド"), "操作ｶﾞｲﾄﾞを読む") == [("ｶﾞｲﾄﾞ", 2, 7, "ガイド")]
    assert _found(_terms("ドを"), "ｶﾞｲﾄﾞを") == [("ﾄﾞを", 3, 6, "ドを")]


def test_case_is_ignored_in_both_directions():
    assert _found(_terms("fnol"), "Log the FNOL.") == [("FNOL", 8, 12, "fnol")]
    assert _found(_terms("FNOL"), "log the fnol") == [("fnol", 8, 12, "FNOL")]


def test_a_phrase_of_two_owners_is_reported_for_each_and_a_repeated_phrase_once():
    shared = Phrase("payout", "avoid", 1)
    matcher = Matcher([shared, shared, Phrase("Payout", "avoid", 2), Phrase("", "term", 3), Phrase("  ", "term", 4)])
    assert len(matcher) == 2  # the repeated phrase and the blank ones are not kept
    assert _found(matcher, "no payout") == [("payout", 3, 9, 1), ("payout", 3, 9, 2)]


def test_nothing_is_found_in_an_empty_or_blank_text():
    assert _found(_terms("保険金"), "") == []
    assert _found(_terms("保険金"), " \n\u3000") == []


# --- leftmost_longest ------------------------------------------------------------------------------------


def test_leftmost_longest_keeps_the_longest_at_each_place_without_overlaps():
    matcher = _terms("保険金", "保険金支払", "支払", "手続き", "続き")
    chosen = leftmost_longest(matcher.find("保険金支払の手続き、支払"))
    assert [(m.text, m.start, m.end) for m in chosen] == [("保険金支払", 0, 5), ("手続き", 6, 9), ("支払", 10, 12)]


def test_leftmost_longest_keeps_adjacent_words():
    chosen = leftmost_longest(_terms("保険", "金額").find("保険金額"))
    assert [(m.text, m.start, m.end) for m in chosen] == [("保険", 0, 2), ("金額", 2, 4)]


def test_leftmost_longest_prefers_the_earlier_word_over_a_longer_later_one():
    chosen = leftmost_longest(_terms("保険", "険金支払").find("保険金支払"))
    assert [m.text for m in chosen] == ["保険"]


def test_leftmost_longest_of_nothing_is_nothing():
    assert leftmost_longest([]) == []


# --- line_and_column -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "expected"),
    [(0, (1, 1)), (2, (1, 3)), (3, (1, 4)), (4, (2, 1)), (6, (2, 3)), (7, (2, 4)), (8, (3, 1)), (9, (4, 1))],
)
def test_line_and_column_count_from_one_as_an_editor_does(position, expected):
    text = "一行目\n二行目\n\n四"
    assert line_and_column(text, position) == expected


def test_line_and_column_after_windows_line_breaks():
    assert line_and_column("a\r\nb", 3) == (2, 1)


# --- properties ----------------------------------------------------------------------------------------------

# Realistic pieces (with their full-width and half-width spellings) mixed with any character, so that words run
# into each other, into plurals and into other scripts. Characters that NFKC expands into several characters of
# which only a part could be a phrase (㈱ is "(株)", ½ is "1⁄2") are left out: a phrase found inside one of them
# is reported on the whole character.
PIECES = [
    "保険金", "保険金支払", "支払", "査定", "ＡＰＩ", "API", "api", "rapid", "claim", "Claims", "processes",
    "ｶﾞｲﾄﾞ", "ガイド", "보험금", "보험금을", "s", "es", " ", "\u3000", "\n", "-", "、", "。", ".",
]  # fmt: skip
PHRASES = ["保険金", "保険金支払", "支払", "API", "claim", "process", "ガイド", "보험금", "a", "es", "金支"]
single = st.characters(exclude_categories=["Cs"]).filter(lambda ch: len(unicodedata.normalize("NFKC", ch)) == 1)
texts = st.lists(st.one_of(st.sampled_from(PIECES), single), max_size=20).map("".join)
phrases = st.lists(st.one_of(st.sampled_from(PHRASES), st.text(min_size=1, max_size=4)), min_size=1, max_size=6)


def _plural_of(found: str, phrase: str) -> bool:
    return found in (phrase, phrase + "s", phrase + "es")


@given(texts, phrases)
def test_every_match_is_the_phrase_as_written_in_the_original_text(text, words):
    matcher = Matcher(Phrase(word, "term", number) for number, word in enumerate(words))
    for match in matcher.find(text):
        assert 0 <= match.start < match.end <= len(text)
        assert text[match.start : match.end] == match.text
        assert _plural_of(normalize(match.text), normalize(match.phrase.text))


@given(texts, phrases)
def test_matches_come_in_text_order_longest_first(text, words):
    found = Matcher(Phrase(word, "term", number) for number, word in enumerate(words)).find(text)
    assert [(m.start, -m.length) for m in found] == sorted((m.start, -m.length) for m in found)


@given(texts, phrases)
def test_leftmost_longest_never_overlaps_and_leaves_out_only_covered_words(text, words):
    found = Matcher(Phrase(word, "term", number) for number, word in enumerate(words)).find(text)
    chosen = leftmost_longest(found)
    assert all(isinstance(m, Match) and m in found for m in chosen)
    assert all(before.end <= after.start for before, after in zip(chosen, chosen[1:], strict=False))
    for match in found:
        if match not in chosen:  # left out only because a chosen word already covers where it starts
            assert any(c.start <= match.start < c.end for c in chosen)


@given(st.sampled_from(PHRASES), st.sampled_from(["", " ", "。", "\n", "、"]), st.sampled_from(["", " ", "。", "\n"]))
def test_a_phrase_standing_alone_is_always_found_where_it_is(phrase, before, after):
    text = before + phrase + after
    assert (phrase, len(before), len(before) + len(phrase)) in [(m.text, m.start, m.end) for m in _terms(phrase).find(text)]
