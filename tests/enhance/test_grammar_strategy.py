"""The grammar strategy: candidates chosen by the bigram model and edit distance, case kept,
overlapping edits and protected spans skipped."""

from __future__ import annotations

import pytest

from fbopt.enhance.edits import Edit, apply_edits, safe_edits
from fbopt.enhance.enhancer import Enhancer, EnhanceSettings
from fbopt.enhance.grammar import GrammarFixer, _distance
from fbopt.quality.grammar import GrammarIssue
from fbopt.quality.score import QualitySettings, Scorer


def spelling(text: str, word: str, *suggestions: str) -> GrammarIssue:
    start = text.index(word)
    return GrammarIssue("Spelling", "spelling", start, len(word), suggestions[0] if suggestions
                        else None, "SpellCheck", tuple(suggestions))


def test_spelling_choice_uses_context_and_distance() -> None:
    text = "Keep this in maind when you come."
    # Harper lists its three candidates alphabetically; the model picks the one that fits
    choice = GrammarFixer().choose(text, spelling(text, "maind", "maid", "main", "mind"))
    assert choice == "mind"
    text = "The docters said it was fine."
    assert GrammarFixer().choose(text, spelling(text, "docters", "dockers", "doctors")) == \
        "Doctors".lower()


def test_candidates_beyond_the_backend_and_case_is_kept() -> None:
    text = "Untill friday we are closed."
    assert GrammarFixer().choose(text, spelling(text, "Untill")) == "Until"


def test_other_issues_choose_among_suggestions_by_fit() -> None:
    text = "Their is a cat."
    issue = GrammarIssue("Grammar", "there", 0, 5, "There", "x", ("There", "There's"))
    assert GrammarFixer().fix(text, [issue]) == "There is a cat."


def test_overlaps_and_protected_spans_are_skipped() -> None:
    text = "See https://exampel.com now at 9am"
    edits = [Edit(4, 23, "x"), Edit(24, 27, "today"), Edit(24, 30, "later"), Edit(31, 34, "10")]
    assert safe_edits(text, edits) == [Edit(24, 27, "today")]
    assert apply_edits(text, edits) == "See https://exampel.com today at 9am"


def test_distance_counts_transpositions_once() -> None:
    assert _distance("teh", "the") == 1
    assert _distance("maind", "mind") == 1
    assert _distance("salf", "all") == 2


def test_a_prefix_is_never_cut_off_a_word() -> None:
    # Valid rare words the spell checker does not know: 'fluoridated' would flip the meaning.
    for word, offer in (("nonfluoridated", "fluoridated"), ("unmeaningful", "meaningful")):
        text = f"They drink {word} water."
        assert GrammarFixer().choose(text, spelling(text, word, offer)) is None


def test_words_are_joined_only_into_a_known_word() -> None:
    text = "See a cardiologist or an ENT surgeon."
    start = text.index("an ENT")
    issue = GrammarIssue("WordChoice", "joined", start, 6, "anENT", "x", ("anENT",))
    assert GrammarFixer().choose(text, issue) is None


def test_a_first_consonant_is_kept_but_a_first_vowel_may_change() -> None:
    text = "Modify the gelatinized carbohydrate."
    assert GrammarFixer().choose(text, spelling(text, "gelatinized", "relativized")) is None
    text = "Protect the inviroment now."
    assert GrammarFixer().choose(text, spelling(text, "inviroment", "environment")) == \
        "environment"


def test_a_word_the_backend_would_split_may_be_one_misspelt_word() -> None:
    # Harper's SplitWords reports these as a Typo with only the split as its suggestion.
    for text, word, split, fixed in (
            ("The work is allready done.", "allready", "all ready", "already"),
            ("We can do it togather with you.", "togather", "to gather", "together"),
            ("It takes hardwork to win.", "hardwork", "hard work", "hard work")):
        start = text.index(word)
        issue = GrammarIssue("Typo", "split", start, len(word), split, "SplitWords", (split,))
        assert GrammarFixer().choose(text, issue) == fixed
    # ... but as often it is a compound Harper does not know: no far or rare word replaces it
    for text, word, split in (("He went hitless in four games.", "hitless", "hit less"),
                              ("Her deadlift record stands.", "deadlift", "dead lift"),
                              ("Use compostable cups.", "compostable", "compo stable")):
        start = text.index(word)
        issue = GrammarIssue("Typo", "split", start, len(word), split, "SplitWords", (split,))
        assert GrammarFixer().choose(text, issue) is None


def test_an_insertion_the_edit_before_it_already_made_is_dropped() -> None:
    text = "For example they can."
    edits = [Edit(0, 11, "For example,"), Edit(11, 11, ",")]
    assert apply_edits(text, edits) == "For example, they can."


def test_a_word_in_use_is_not_fixed_into_a_neighbour() -> None:
    # Harper does not know these, but people write them (wordfreq): leave them.
    for text, word, offer in (("Try our pistachio gelato today.", "gelato", "gelatin"),
                              ("Chips and queso for everyone!", "queso", "quest"),
                              ("He keeps tweeting gifs of himself.", "gifs", "gifts")):
        assert GrammarFixer().choose(text, spelling(text, word, offer)) is None
    # ... while a common misspelling is far rarer than its fix
    text = "We are open untill 9pm."
    assert GrammarFixer().choose(text, spelling(text, "untill", "until")) == "until"


def test_word_frequencies_load_with_the_network_blocked() -> None:
    import subprocess
    import sys

    code = (
        "import socket\n"
        "def refuse(*a, **k): raise SystemExit('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from fbopt.quality.spelling import in_use\n"
        "print(in_use('gelato', ['gelatin']), in_use('untill', ['until']),"
        " in_use('gelato'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False", "True"]


@pytest.mark.parametrize(("text", "fixed"), [
    ("Their going to love it, see you soon.", "They're going to love it, see you soon."),
    ("We think its already December here.", "We think it's already December here."),
    ("I couldnt of done it without you all.", "I couldn't have done it without you all."),
    ("We recieved your letter yesterday.", "We received your letter yesterday."),
    ("There are several reason to come.", "There are several reasons to come."),
])
def test_the_enhancer_fixes_what_the_fluency_check_and_speller_flag(text: str,
                                                                    fixed: str) -> None:
    with Scorer(QualitySettings(workers=1)) as scorer:
        before = scorer.score([text])[0]
        result = Enhancer(scorer, EnhanceSettings(strategies=("grammar",))).enhance([text])[0]
    assert before.grammar_issues and before.grammar_score < 1.0
    assert result.text == fixed and result.enhancements == ["grammar"]
    assert result.after.grammar_score == 1.0


def test_a_rare_plural_of_a_known_word_is_not_fixed_into_a_common_word() -> None:
    text = "Tulips, daffodils and alliums from $4.99 a bag."
    issue = spelling(text, "alliums", "albums")
    assert GrammarFixer().choose(text, issue) is None  # 'alliums' is no 'albums'
    text = "Slugs eating your hostas?"
    assert GrammarFixer().choose(text, spelling(text, "hostas", "hosts")) is None
    text = "My freinds came."  # the CMU list has 'freind': its plural is still a misspelling
    assert GrammarFixer().choose(text, spelling(text, "freinds", "friends")) == "friends"


def test_a_fix_at_the_post_start_gets_its_capital_and_its_becomes_its_contraction() -> None:
    text = "alot of people think so"
    issue = GrammarIssue("BoundaryError", "a lot", 0, 4, "a lot", "OpenCompounds", ("a lot",))
    assert GrammarFixer().fix(text, [issue]) == "A lot of people think so"
    text = "Our menu is here and its got pumpkin everything."
    start = text.index("its")
    issue = GrammarIssue("Punctuation", "it's", start, 3, "it's", "ItsContraction",
                         ("it's", "it has"))
    assert GrammarFixer().fix(text, [issue]) == "Our menu is here and it's got pumpkin everything."
