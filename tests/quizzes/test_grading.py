"""Quiz answers graded in Croatian, English and German: case, accents and number words do not matter."""

from __future__ import annotations

import pytest

from socialdesk.quizzes.grading import is_correct, normalise


@pytest.mark.parametrize(("said", "accepted"), [
    # Croatian
    ("Dvadeset i jedan!", ["21"]), ("dvadeset jedan", ["21"]), ("Mislim da je ČETRNAEST", ["14"]),
    ("dvije stotine i pet", ["205"]), ("Odgovor: Dubrovnik 😊", ["Dubrovnik"]), ("zagreb", ["Zagreb"]),
    ("Šibenik naravno", ["Sibenik"]), ("Đakovo", ["Djakovo"]),
    # English
    ("twenty-one", ["21"]), ("It's TWENTY ONE", ["21"]), ("one hundred and five", ["105"]),
    ("the answer is one", ["1"]),
    ("I think it's Paris!", ["Paris"]), ("the Eiffel tower", ["Eiffel Tower"]),
    # German
    ("Einundzwanzig", ["21"]), ("zwölf", ["12"]), ("Es ist die Straße", ["strasse"]), ("Fünf", ["5"]),
    ("München!", ["Muenchen", "Munchen"]), ("hundert", ["100"]),
])
def test_right_answers_in_three_languages(said: str, accepted: list[str]) -> None:
    assert is_correct(said, accepted)


@pytest.mark.parametrize(("said", "accepted"), [
    ("21 ili 22", ["21"]),  # hedging with two numbers is wrong
    ("dvadeset dva", ["21"]), ("twenty", ["21"]), ("zweiundzwanzig", ["21"]),
    ("Pariz", ["Paris"]), ("one of them is Rome", ["1"]), ("", ["x"]),
])
def test_wrong_answers(said: str, accepted: list[str]) -> None:
    assert not is_correct(said, accepted)


def test_only_the_quiz_languages_number_words_are_read() -> None:
    assert normalise("einundzwanzig", ["hr"]) == ["einundzwanzig"]
    assert normalise("einundzwanzig", ["de"]) == ["21"]
    assert normalise("twenty-one", ["en", "de"]) == ["21"]
