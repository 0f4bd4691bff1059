"""fbopt's own comma rules: they fire on the cases they name and leave look-alikes alone."""

from __future__ import annotations

from fbopt.enhance.grammar import GrammarFixer
from fbopt.quality.house_rules import check_text, house_issues


def fixed(text: str) -> str:
    return GrammarFixer().fix(text, house_issues(text))


def test_introductory_commas() -> None:
    assert fixed("However we open at 9. For example the cake is new.") == \
        "However, we open at 9. For example, the cake is new."
    assert fixed("In addition to the cake we have tea.") == "In addition to the cake we have tea."
    assert fixed("However, we open at 9.") == "However, we open at 9."
    assert house_issues("Now is the time.") == []


def test_clause_and_subordinate_commas() -> None:
    assert fixed("We had lots of great ideas but the facts were missing.") == \
        "We had lots of great ideas, but the facts were missing."
    assert fixed("They drank nothing but tea.") == "They drank nothing but tea."
    assert fixed("Not only cake but also tea.") == "Not only cake but also tea."
    assert fixed("If the weather holds we will open the patio.") == \
        "If the weather holds, we will open the patio."


class NoIssues:
    name = "none"

    def check(self, text: str) -> list:
        return []

    def close(self) -> None:
        return None


def test_quoted_text_is_never_flagged() -> None:
    text = 'We said "we met. However we left" then. However we came back.'
    assert len(house_issues(text)) == 2  # the rule itself sees both ...
    issues = check_text(NoIssues(), text)
    assert [text[i.offset:i.offset + i.length] for i in issues] == ["However"]
    assert issues[0].offset == text.rindex("However")  # ... but the quoted one is protected


def test_sentence_starts_get_a_capital() -> None:
    def fixed(text: str) -> str:
        starts = [i for i in house_issues(text) if i.rule == "SentenceStart"]
        return GrammarFixer().fix(text, starts)

    assert fixed("this shall affect exams. he has money? yes") == \
        "This shall affect exams. He has money? Yes"
    for text in ("Wait... what", "Call us, e.g. the shop", "Donald Trump Jr. to testify",
                 "We sell iPhone cases. eBay too", "Line one\nline two", "It is $4.50. so cheap"):
        assert fixed(text) == text


def test_opening_phrase_commas() -> None:
    def commas(text: str) -> list[str]:
        return [text[:i.offset] for i in house_issues(text) if i.rule == "IntroductoryPhrase"]

    assert commas("After school he has to work.") == ["After school"]
    assert commas("Great day. On Monday we will open.") == ["Great day. On Monday"]
    for text in ("By the time I get there it is over.", "In case you need it we are here.",
                 "Donald Trump Jr. during the campaign said she had no ties."):
        assert commas(text) == [], text


def test_subject_openers_need_a_subject() -> None:
    def commas(text: str) -> list[str]:
        return [i.suggestion or "" for i in house_issues(text) if i.rule == "IntroductoryComma"]

    assert commas("Second the price is low. Today we know.") == ["Second,", "Today,"]
    assert commas("Second place went to us. Today is the day.") == []


def test_plural_subjects_take_are() -> None:
    def verbs(text: str) -> list[str]:
        return [i.suggestion or "" for i in house_issues(text) if i.rule == "PluralVerb"]

    assert verbs("Young people is not able. There is many ways. Men was there.") == \
        ["are", "are", "were"]
    for text in ("The number of people is rising.", "His respect for women is legendary.",
                 "There is a cat."):
        assert verbs(text) == [], text


def test_no_capital_after_a_mark_inside_a_password_or_version() -> None:
    text = "if you still use passwords like Summer2024! in your company, read this. then act."
    assert fixed(text) == "If you still use passwords like Summer2024! in your company, read " \
        "this. Then act."
    assert fixed("update to v2.0. it is faster") == "update to v2.0. it is faster".capitalize()
