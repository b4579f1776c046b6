"""Writing checks: spelling per language, the rules, the style guide, the CLI, the API and the dictionary."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from socialdesk.cli import app
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database
from socialdesk.studio.writing import dictionaries, readability, rules
from socialdesk.studio.writing.check import check_text
from socialdesk.studio.writing.style_guide import Guide
from tests.helpers import World, make_world
from tests.web_client import signed_in_client

needs_hr = pytest.mark.skipif(dictionaries.find("hr") is None, reason="hunspell-hr is not installed")

CLEAN_HR = "Danas smo otvorili novu trgovinu u centru grada i pozivamo vas da nas posjetite."


def kinds(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(p.kind, text[p.offset:p.offset + p.length]) for p in check_text(text, **kwargs).problems]  # type: ignore[arg-type]


@needs_hr
def test_croatian_misspelling_is_flagged_with_the_fix_and_clean_text_is_silent() -> None:
    result = check_text("Ovo je grješkom napisana rečenica.", "hr")
    [problem] = result.problems
    assert (problem.kind, problem.offset, problem.length) == ("spelling", 7, 8)
    assert problem.suggestions[0] == "greškom"
    assert check_text(CLEAN_HR, "hr").problems == []


@needs_hr
def test_hashtags_mentions_links_emoji_acronyms_and_names_are_never_flagged() -> None:
    text = "Dođite u Zagreb na kavu ☕ s @kafic_bar i SMM timom: #kavaizvrsna https://kava.hr/jelovnik kava.hr 🎉"
    assert [k for k in kinds(text, language="hr") if k[0] == "spelling"] == []


@needs_hr
def test_workspace_words_and_style_guide_spellings_are_known() -> None:
    text = "Naša aplikacija Kavomat radi brzo. Kavomatom plaćate."
    assert ("spelling", "Kavomatom") in kinds(text, language="hr")
    assert ("spelling", "Kavomatom") not in kinds(text, language="hr", known_words={"kavomatom"})


def test_serbian_cyrillic_and_latin_use_their_own_dictionary() -> None:
    if dictionaries.find("sr") is None or dictionaries.find("sr-Cyrl") is None:
        pytest.skip("hunspell-sr is not installed")
    assert check_text("Ово је тачна реченица о нашој продавници.", "sr").problems == []
    assert [k for k in kinds("Ово је грешкка.", language="sr") if k[0] == "spelling"] == [("spelling", "грешкка")]
    assert [k for k in kinds("Ovo je greškka.", language="sr") if k[0] == "spelling"] == [("spelling", "greškka")]


def test_a_missing_dictionary_is_a_note_not_a_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("SOCIALDESK_HUNSPELL_DIRS", str(tmp_path))
    monkeypatch.setattr(dictionaries.importlib.util, "find_spec", lambda name: None)
    reset_settings_cache()
    result = check_text("Ovo je grješkom napisana rečenica.", "hr")
    assert [p.kind for p in result.problems] == []
    assert result.notes == ["Spelling for hr is not installed: apt-get install hunspell-hr"]


@pytest.mark.parametrize(("text", "kind", "span"), [
    ("We love love this place.", "repeated_word", "love love"),
    ("Great coffee , great people.", "spacing", " ,"),
    ("Great coffee.Great people.", "spacing", "."),
    ("Great coffee.  Great people.", "spacing", "  "),
    ("Great coffee. great people.", "capital", "great"),
    ("Great coffee (and cake. See you.", "unbalanced", "("),
    ("Come today. BIG SALE ON ALL COFFEE now.", "shouting", "BIG SALE ON ALL COFFEE"),
    ("Come today!!!", "exclamation", "!!!"),
    ("Come today ☕☕☕☕☕ now.", "emoji", "☕☕☕☕☕"),
])
def test_each_rule_finds_its_problem(text: str, kind: str, span: str) -> None:
    found = [(p.kind, text[p.offset:p.offset + p.length]) for p in rules.check(text)]
    assert (kind, span) in found


@pytest.mark.parametrize("text", [
    "Ha ha, that was fun :) See you on 5. May (at 10:00), e.g. at the shop.",
    "Price: 3.50 EUR, 1,5 l. Visit shop.hr or https://example.com/a,b today.",
    "„Najbolja kava u gradu”, kažu gosti. Dođite npr. u ponedjeljak.",
    "1) choose a cake 2) enjoy it ☕",
    "NASA and the EU said OK.",
])
def test_rules_stay_silent_on_ordinary_social_text(text: str) -> None:
    assert rules.check(text) == []


def test_croatian_confusions_and_network_advice() -> None:
    text = "Mi bi trebali doći. " + " ".join(f"#tag{i}" for i in range(7)) + " https://example.com/" + "x" * 40
    found = check_text(text, "hr", networks=["instagram", "x"]).problems
    confusion = next(p for p in found if p.kind == "confusion")
    assert confusion.suggestions == ("Mi bismo",)
    assert {p.rule for p in found if p.kind == "hashtags"} == {"instagram", "x"}
    assert {p.rule for p in found if p.kind == "links"} == {"instagram", "x"}


def test_english_grammar_comes_from_harper() -> None:
    found = check_text("I has a apple.", "en").problems
    assert {p.kind for p in found} == {"grammar"}
    assert any("an" in p.suggestions for p in found)


def test_style_guide_banned_preferred_and_disclosure() -> None:
    guide = Guide(banned=(("jeftino", "povoljno"),), preferred=(("email", "e-mail"),), disclosures=("#oglas", "#ad"),
                  paid_markers=("kod za popust",))
    text = "Jeftino! Pišite na email. Kod za popust: KAVA10"
    found = {(p.kind, p.suggestions[:1]) for p in check_text(text, "hr", guide=guide).problems
             if p.kind in ("banned_word", "preferred_spelling", "disclosure")}
    assert found == {("banned_word", ("Povoljno",)), ("preferred_spelling", ("e-mail",)),
                     ("disclosure", ("#oglas",))}
    assert not [p for p in check_text(text + " #oglas", "hr", guide=guide).problems if p.kind == "disclosure"]
    paid = check_text("Nova kava.", "hr", guide=guide, paid=True).problems
    assert [p.kind for p in paid] == ["disclosure"]
    blocked = check_text("Jeftino danas.", "hr", guide=guide, blocking_kinds={"banned_word"})
    assert blocked.as_dict()["ok"] is False


def test_readability_verdicts_and_reading_time() -> None:
    easy = readability.measure("Pijte kavu. Dobra je. Dođite danas. Čekamo vas.", "hr")
    hard = readability.measure("Implementacijom sveobuhvatnih organizacijskih transformacija poduzeća "
                               "omogućujemo dugoročnu konkurentnost tržišnih sudionika.", "hr")
    assert easy and hard and easy.formula == "LIX" and easy.score < hard.score
    assert easy.verdict.startswith("Very easy") and hard.verdict.startswith("Very hard")
    blog = readability.measure("Word " * 1000, "en")
    assert blog and blog.reading_minutes == 5
    assert readability.measure("Hi!", "en") is None


@needs_hr
def test_check_text_cli_prints_json() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["check-text", "--language", "hr"], input="Ovo je grješkom napisana rečenica.")
    assert result.exit_code == 0, result.output
    [problem] = json.loads(result.stdout)
    assert problem["kind"] == "spelling" and problem["suggestions"][0] == "greškom"
    assert json.loads(runner.invoke(app, ["check-text", "--language", "hr"], input=CLEAN_HR).stdout) == []
    bad = runner.invoke(app, ["check-text", "--language", "xx"], input="x")
    assert bad.exit_code != 0


@pytest.fixture
def world(database: Database, clock: object) -> World:
    return make_world(database)


@needs_hr
def test_api_check_dictionary_and_style_guide(database: Database, world: World) -> None:
    client, _ = signed_in_client(database, world.users["owner"])
    base = f"/api/v1/workspaces/{world.workspace_id}"
    body = {"text": "Kavomat je grješkom jeftin. #tag", "channel_ids": [world.channels["instagram"]]}
    out = client.post(f"{base}/posts/check?language=hr", json=body).json()
    assert [(p["kind"], p["suggestions"][:1]) for p in out["writing"]["problems"]] == [
        ("spelling", ["Kavomat"]), ("spelling", ["greškom"])] or \
        [p["kind"] for p in out["writing"]["problems"]] == ["spelling", "spelling"]
    word = client.post(f"{base}/writing/dictionary", json={"word": "Kavomat"})
    assert word.status_code == 201
    assert client.post(f"{base}/writing/dictionary", json={"word": "two words"}).status_code == 422
    guide = client.put(f"{base}/writing/style-guide", json={
        "banned": [["jeftin", "povoljan"]], "disclosures": ["#oglas"], "blocking_kinds": ["banned_word"]})
    assert guide.status_code == 200, guide.text
    assert client.put(f"{base}/writing/style-guide", json={"blocking_kinds": ["nonsense"]}).status_code == 422
    out = client.post(f"{base}/posts/check?language=hr&paid=true", json=body).json()
    assert sorted(p["kind"] for p in out["writing"]["problems"]) == ["banned_word", "disclosure", "spelling"]
    assert out["ok"] is False
    words = client.get(f"{base}/writing/dictionary").json()
    assert [w["word"] for w in words] == ["Kavomat"]
    assert client.delete(f"{base}/writing/dictionary/{words[0]['id']}").status_code == 204
    audit = client.get(f"{base}/audit").json() if client.get(f"{base}/audit").status_code == 200 else None
    if audit is not None:
        assert "writing.word_add" in json.dumps(audit)
    viewer, _ = signed_in_client(database, world.users["viewer"])
    assert viewer.post(f"{base}/writing/dictionary", json={"word": "Kavomat"}).status_code == 403
    assert viewer.put(f"{base}/writing/style-guide", json={}).status_code == 403


def test_blocking_kinds_stop_a_post_going_out_but_keep_drafts(database: Database, world: World) -> None:
    from socialdesk.content import service as content
    from socialdesk.content.schemas import Intent, PostIn
    from socialdesk.core.errors import ValidationFailed
    from socialdesk.studio.writing import service as writing

    with database.unit_of_work() as session:
        writing.update_settings(world.ctx(session), writing.StyleGuideInput(
            language="hr", banned=(("jeftino", "povoljno"),), blocking_kinds=("banned_word",)))
    data = PostIn(text="Jeftino danas.", channel_ids=[world.channels["x"]], intent=Intent.PUBLISH_NOW)
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="jeftino"):
        content.compose(world.ctx(session), data)
    with database.unit_of_work() as session:
        draft = content.compose(world.ctx(session), data.model_copy(update={"intent": Intent.DRAFT}))
        assert draft.post.text == "Jeftino danas."
    with database.unit_of_work() as session:
        fixed = data.model_copy(update={"text": "Povoljno danas."})
        assert content.compose(world.ctx(session), fixed).post.id


def test_a_dictionary_word_is_kept_once_whatever_its_case(database: Database, world: World) -> None:
    from socialdesk.studio.writing import service as writing

    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        first = writing.add_word(ctx, "Ëkavomat")
        assert writing.add_word(ctx, "Ëkavomat").id == first.id
        assert writing.add_word(ctx, "ëKAVOMAT").id == first.id
        assert [w.word for w in writing.words(ctx)] == ["Ëkavomat"]


def test_the_composer_says_which_dictionary_to_install(database: Database, world: World,
                                                       monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    client, csrf = signed_in_client(database, world.users["editor"])
    form = {"csrf_token": csrf, "text": "Ovo je grješkom <b>napisano</b>.", "channel_ids": world.channels["x"],
            "writing_language": "hr"}
    page = client.post(f"/w/{world.workspace_id}/compose/check", data=form)
    assert page.status_code == 200
    if dictionaries.find("hr") is not None:
        assert "greškom" in page.text and 'class="w-spelling' in page.text
    assert "<b>napisano</b>" not in page.text  # the text is shown escaped
    monkeypatch.setenv("SOCIALDESK_HUNSPELL_DIRS", str(tmp_path))
    monkeypatch.setattr(dictionaries.importlib.util, "find_spec", lambda name: None)
    reset_settings_cache()
    page = client.post(f"/w/{world.workspace_id}/compose/check", data=form)
    assert page.status_code == 200
    assert "Spelling for hr is not installed: apt-get install hunspell-hr" in page.text
