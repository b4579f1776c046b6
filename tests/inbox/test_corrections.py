"""Correcting a triage label in the inbox: stored per workspace, shown, audited, undoable, refused when wrong,
and read by `train --include-corrections` without ever taking a validation text."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from socialdesk.audit.models import AuditEntry
from socialdesk.core.errors import Forbidden, NotFound, ValidationFailed
from socialdesk.inbox import actions, corrections
from socialdesk.inbox.models import Conversation, InboxItem, ModerationAction, TriageCorrection
from socialdesk.text import corrections_data
from tests.helpers import make_world
from tests.inbox.conftest import Inbox, message
from tests.web_client import signed_in_client


def _item(inbox: Inbox, external_id: str) -> InboxItem:
    with inbox.db.read_sessions() as session:
        return session.scalars(select(InboxItem).where(InboxItem.external_id == external_id)).one()


def test_a_correction_replaces_the_label_moves_the_queue_and_can_be_undone(inbox: Inbox) -> None:
    inbox.deliver(message("c1", "Kava je bila hladna i konobar bezobrazan."))
    before = _item(inbox, "c1")
    model_said = before.sentiment
    wanted = "positive" if model_said != "positive" else "neutral"
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "editor")
        stored = corrections.correct(ctx, before.id, "sentiment", wanted.upper())  # case does not matter
        assert stored is not None and stored.value == wanted and stored.model_value == model_said
        assert stored.text == before.text and stored.workspace_id == inbox.world.workspace_id
        assert corrections.correct(ctx, before.id, "sentiment", wanted) is None  # already says so: nothing new
        corrections.correct(ctx, before.id, "offensive", "yes")
        corrections.correct(ctx, before.id, "language",
                            "bs" if before.language != "bs" else "sr")
    after = _item(inbox, "c1")
    assert after.sentiment == wanted and after.offensive
    assert after.language in ("bs", "sr") and after.language != before.language
    assert after.language_source == "person" and after.language_group == "hbs"
    with inbox.db.read_sessions() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "inbox.correct_triage")))
        assert len(entries) == 3 and any(f"{model_said} → {wanted}" in e.summary for e in entries)
        recorded = session.scalars(select(ModerationAction).where(ModerationAction.action == "correct")
                                   .order_by(ModerationAction.performed_at)).all()
        assert [r.detail["label"] for r in recorded] == ["sentiment", "offensive", "language"]
        conversation = session.get(Conversation, after.conversation_id)
        assert conversation is not None and conversation.sentiment == wanted
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "editor")
        actions.undo(ctx, recorded[0].id)
        actions.undo(ctx, recorded[2].id)
    undone = _item(inbox, "c1")
    assert undone.sentiment == model_said and undone.language == before.language
    assert undone.language_source == before.language_source
    with inbox.db.read_sessions() as session:
        left = {c.label: c.value for c in session.scalars(select(TriageCorrection))}
        assert left == {"offensive": "yes"}  # the undone corrections are gone, the other one stays
        rows = corrections.for_training(session, [inbox.world.workspace_id])
        assert not corrections.for_training(session, ["another-workspace"])
    learnt = corrections_data.examples(rows, held_out=set())
    assert learnt.examples == {"offensive": ([before.text], ["yes"])}  # what the next retraining reads


def test_a_spam_correction_is_the_persons_verdict(inbox: Inbox) -> None:
    inbox.deliver(message("c1", "Check out my channel!!! subscribe http://spam.example/win free money"))
    item = _item(inbox, "c1")
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "editor")
        said = corrections.shown_value(session.get(InboxItem, item.id), "spam")
        corrections.correct(ctx, item.id, "spam", "no" if said == "yes" else "yes")
    assert _item(inbox, "c1").marked_spam is (said != "yes")


def test_wrong_corrections_are_refused_clearly(inbox: Inbox) -> None:
    inbox.deliver(message("c1", "Kada otvarate?"))
    inbox.deliver(message("c2", "Još nije pregledano", author="u-2"), triage=False)
    item, untriaged = _item(inbox, "c1"), _item(inbox, "c2")
    other = make_world(inbox.db, "Brand B", profiles=("facebook",))
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "editor")
        with pytest.raises(ValidationFailed, match="must be one of: negative, neutral, positive"):
            corrections.correct(ctx, item.id, "sentiment", "angry")
        with pytest.raises(ValidationFailed, match="Unknown label"):
            corrections.correct(ctx, item.id, "mood", "happy")
        with pytest.raises(ValidationFailed, match="two- or three-letter code"):
            corrections.correct(ctx, item.id, "language", "<script>")
        with pytest.raises(ValidationFailed, match="not been triaged"):
            corrections.correct(ctx, untriaged.id, "sentiment", "positive")
        with pytest.raises(Forbidden):
            corrections.correct(inbox.world.ctx(session, "viewer"), item.id, "sentiment", "positive")
        with pytest.raises(NotFound):  # another workspace's message does not exist for this one
            corrections.correct(other.ctx(session), item.id, "sentiment", "positive")
    with inbox.db.read_sessions() as session:
        assert not session.scalars(select(TriageCorrection)).all()


def test_the_inbox_shows_and_takes_corrections(inbox: Inbox) -> None:
    inbox.deliver(message("c1", "Kada otvarate u nedjelju?"))
    item = _item(inbox, "c1")
    client, _ = signed_in_client(inbox.db, inbox.world.users["editor"])
    w = f"/w/{inbox.world.workspace_id}"
    htmx = {"hx-request": "true"}
    page = client.get(f"{w}/inbox?c={item.conversation_id}")
    assert 'class="tri-fix"' in page.text and f"/inbox/i/{item.id}/correct" in page.text
    wanted = "negative" if item.sentiment != "negative" else "positive"
    done = client.post(f"{w}/inbox/i/{item.id}/correct", data={"label": "sentiment", "value": wanted}, headers=htmx)
    assert done.status_code == 200 and f"Corrected: sentiment is now {wanted}." in done.text
    assert "tri-corrected" in done.text and f"triage said {item.sentiment}" in done.text
    refused = client.post(f"{w}/inbox/i/{item.id}/correct", data={"label": "intent", "value": "x"}, headers=htmx)
    assert refused.status_code == 200 and "The intent must be one of: question, complaint" in refused.text
    viewer, _ = signed_in_client(inbox.db, inbox.world.users["viewer"])
    assert viewer.post(f"{w}/inbox/i/{item.id}/correct", data={"label": "sentiment", "value": "neutral"},
                       headers=htmx).status_code == 403
    assert 'class="tri-fix"' not in viewer.get(f"{w}/inbox?c={item.conversation_id}").text  # read only


def test_retraining_reads_corrections_but_never_a_validation_text(tmp_path) -> None:
    data = tmp_path / "data"
    (data / "sentiment").mkdir(parents=True)
    (data / "offensive").mkdir()
    (data / "spam").mkdir()
    for name in [*(f"umsab-{lang}-val" for lang in ("arabic", "english", "french", "german", "hindi", "italian",
                                                     "portuguese", "spanish")),
                 *(f"twitter15-{lang}-val" for lang in corrections_data.TWITTER15)]:
        (data / "sentiment" / f"{name}.tsv").write_text("label\ttext\npositive\tA validation tweet\n")
    for name in ("tweeteval-offensive-val", "tweeteval-hate-val"):
        (data / "offensive" / f"{name}.tsv").write_text("label\ttext\nnot-offensive\tAn OLID tweet\n")
    (data / "spam" / "youtube-train.tsv").write_text("label\ttext\nspam\tsubscribe to me\n")
    held_out = corrections_data.validation_texts(data, ["Challenge sentence"])
    rows = [SimpleNamespace(label="sentiment", value="negative", text="Kava je hladna", language="hr"),
            SimpleNamespace(label="sentiment", value="neutral", text="Kada otvarate?", language="hr"),
            SimpleNamespace(label="sentiment", value="positive", text="a VALIDATION tweet", language="en"),
            SimpleNamespace(label="offensive", value="no", text="challenge sentence", language="en"),
            SimpleNamespace(label="language", value="bs", text="Sedmica je bila duga", language="sr"),
            SimpleNamespace(label="language", value="en", text="Hello there", language="de"),
            SimpleNamespace(label="intent", value="question", text="Do you ship to Split?", language="en")]
    found = corrections_data.examples(rows, held_out)
    assert found.examples["polar_sentiment"] == (["Kava je hladna"], ["negative"])
    assert found.examples["sentiment"] == (["Kada otvarate?"], ["neutral"])
    assert found.examples["hbs_language"] == (["Sedmica je bila duga"], ["bs"])
    assert found.count("intent") == 1 and found.count("offensive") == 0
    assert found.held_out == 2 and found.unusable == 1  # the validation and challenge texts; English is no hbs


def test_corrections_join_a_heads_training_set_and_move_it() -> None:
    from socialdesk.text import fast, train

    texts = ["kava je odlična", "super usluga", "kava hladna konobar spor", "loše iskustvo"]
    labels = ["positive", "positive", "positive", "negative"]  # the public data got one wrong
    found = corrections_data.Corrections()
    found.add("polar_sentiment", "kava hladna konobar spor", "negative")
    x, y, weight = train._with_corrections("polar_sentiment", fast.features(texts), labels, None, found)
    assert x.shape[0] == 5 and y[-1] == "negative" and list(weight) == [1, 1, 1, 1, train.SEED_WEIGHT]
    before = fast.fit(fast.features(texts), labels, ("negative", "positive"), l2=1e-3)
    after = fast.fit(x, y, ("negative", "positive"), l2=1e-3, sample_weight=weight)
    probe = fast.features(["kava hladna konobar spor"])
    assert before.predict(probe) == ["positive"] and after.predict(probe) == ["negative"]
    same = train._with_corrections("spam", fast.features(texts), labels, None, found)  # none for spam: unchanged
    assert same[0].shape[0] == 4 and same[1] == labels


def test_the_training_command_refuses_corrections_it_cannot_use(capsys: pytest.CaptureFixture[str]) -> None:
    from socialdesk.text import train

    with pytest.raises(SystemExit):
        train.main(["--workspace", "w1"])
    assert "give --include-corrections too" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        train.main(["--only", "encoder", "--include-corrections"])
    assert "corrections train the fast heads" in capsys.readouterr().err
