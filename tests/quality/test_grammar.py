"""Grammar backends: Harper finds real mistakes and leaves names and protected spans alone;
LanguageTool is driven through its real client against a loopback fake server; a backend that
cannot run is one ConfigError."""

from __future__ import annotations

from pathlib import Path

import pytest

from fbopt.errors import ConfigError
from fbopt.quality.grammar import (
    POST_RULES,
    GrammarIssue,
    HarperBackend,
    grammar_score,
    make_backend,
    one_per_span,
)
from fbopt.quality.score import QualitySettings, Scorer
from tests.fakes.languagetool_server import FakeLanguageTool


@pytest.fixture(scope="module")
def harper() -> HarperBackend:
    return HarperBackend()


def test_harper_finds_classic_mistakes(harper: HarperBackend) -> None:
    text = "Their is nothing better then a warm cup of cocoa, we stay open untill 8pm."
    found = {(text[i.offset:i.offset + i.length], i.suggestion) for i in harper.check(text)}
    assert ("Their", "There") in found
    assert ("then", "than") in found
    assert ("untill", "until") in found


def test_harper_skips_names_links_mentions_and_hashtags(harper: HarperBackend) -> None:
    text = "Thanks to Bluestein and @jonh_doe for #teh tips: https://exampel.com/a."
    assert harper.check(text) == []


@pytest.mark.parametrize("text", [
    "Trump Jr. kept his word, Sen. Ted Cruz said.",    # no capital after an abbreviation
    "Conor McGregor won. Bradley Lowery's fight goes on.",  # names, even at a sentence start
    "Gorka pulls no punches. Vox asked why.",           # names the CMU dictionary lists
    "Collusion w/ Andropov? Here we goooo. What will Kim Jong-un do?",  # w/, goooo, Jong-un
    "You ain't seen nothin' yet, said Donald Trump Jr.'s lawyer.",  # dropped g, clitic 's
    "It's tough being a diplomat. There needs to be a solution.",   # rules that broke news
    "The Senate is holding a hearing on a finding by the Hôtel National des Invalides.",
    "Check the pmET listings on your iPhone.",          # capitals inside: codes and brands
    "Ett av fallen som används för att bevisa att svenska män slår ihjäl kvinnor.",  # Swedish
    "C̶u̶r̶r̶e̶n̶t̶l̶y̶ hiding in a cupboard.",                 # styled (struck-through) letters
])
def test_correct_news_posts_are_left_alone(harper: HarperBackend, text: str) -> None:
    assert [(text[i.offset:i.offset + i.length], i.rule) for i in harper.check(text)] == []


def test_issues_name_the_harper_rule(harper: HarperBackend) -> None:
    text = "We need more informations. Teh end."
    found = {(text[i.offset:i.offset + i.length], i.rule) for i in harper.check(text)}
    assert found == {("informations", "MassNouns"), ("Teh", "SpellCheck")}


def test_one_word_gets_one_issue_and_counts_once(harper: HarperBackend) -> None:
    # Harper's SplitWords ("auto scaling") and the word list's "Unknown word" both find it.
    text = "We run autoscaling on every cluster."
    issues = harper.check(text)
    assert [(i.rule, text[i.offset:i.offset + i.length]) for i in issues] == \
        [("SplitWords", "autoscaling")]
    with Scorer(QualitySettings(workers=1)) as scorer:
        scored = scorer.score([text])[0]
    assert len(scored.grammar_issues) == 1
    assert scored.grammar_score == round(grammar_score(1, len(text.split())), 4)


def test_the_most_specific_issue_wins_a_span() -> None:
    bare = GrammarIssue("Spelling", "Unknown word", 4, 6, rule="Spelling")
    split = GrammarIssue("Typo", "split", 4, 6, "ab cd", "SplitWords", ("ab cd",))
    comma = GrammarIssue("Punctuation", "comma", 10, 0, ",", "ClauseComma", (",",))
    other = GrammarIssue("Grammar", "agreement", 2, 8, "x", "PronounVerbAgreement", ("x",))
    kept = one_per_span([bare, comma, split, other])
    assert split in kept and comma in kept and other in kept and bare not in kept


def test_post_rules_exist_in_this_harper() -> None:
    import harper as harper_module

    known = harper_module.get_default_lint_config()
    assert [rule for rule in POST_RULES if rule not in known] == []


def test_unknown_backend_rule_and_dialect_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown grammar backend"):
        make_backend("grammarly")
    with pytest.raises(ConfigError, match="NoSuchRule"):
        make_backend("harper", enable=("NoSuchRule",))
    with pytest.raises(ConfigError, match="dialect"):
        make_backend("harper", dialect="klingon")


def test_grammar_score_falls_with_issues_per_word() -> None:
    assert grammar_score(0, 20) == 1.0
    assert grammar_score(1, 20) == pytest.approx(1 / 1.5)
    assert grammar_score(1, 100) > grammar_score(1, 20) > grammar_score(2, 20)
    assert grammar_score(0, 0) == 0.0


def test_languagetool_through_the_real_client() -> None:
    with FakeLanguageTool() as server:
        backend = make_backend("languagetool", languagetool_url=server.url)
        text = "🎉 i think alot of posts at https://alot.example are fine"
        issues = backend.check(text)
        backend.close()
    assert server.checked and server.checked[0]["language"] == "en-US"
    # offsets come back in code points even after a 4-byte emoji; the URL's "alot" is skipped
    assert [(text[i.offset:i.offset + i.length], i.suggestion) for i in issues] == [
        ("i", "I"), ("alot", "a lot")]
    assert issues[1].rule == "EN_A_LOT"


def test_languagetool_unreachable_is_one_config_error() -> None:
    with FakeLanguageTool() as server:
        url = server.url
    with pytest.raises(ConfigError, match="cannot use the LanguageTool server") as info:
        make_backend("languagetool", languagetool_url=url)
    assert "--languagetool-url" in info.value.message()
    # the reason in a few words, not requests' whole chain of wrapped errors
    assert info.value.problem == f"cannot use the LanguageTool server at {url}: Connection refused"


def test_languagetool_without_url_or_install_says_how_to_get_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LTP_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="not installed") as info:
        make_backend("languagetool")
    assert "--languagetool-url" in info.value.message()
