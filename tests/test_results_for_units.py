"""A unit reads its result when the office publishes it, not before: pages, API, the opinion, mail."""
from __future__ import annotations

import sqlalchemy as sa
from test_results import IN_ACCEPTANCE, PROBLEMS, world  # noqa: F401 - fixture

from pufa_flow import clock
from pufa_flow.extensions import db
from pufa_flow.models import Contact, OutboxMessage
from pufa_flow.services import results


def _publish(world):
    with clock.frozen(IN_ACCEPTANCE):
        results.save_opinion(world["a"]["丁"], {"text": "总体较好，仍有不足", "problems": PROBLEMS},
                             actor=world["office"])
        results.confirm_grades(world["cycle"], actor=world["office"])
        results.publish_results(world["cycle"], actor=world["office"])


def test_before_publishing_a_unit_sees_neither_score_nor_grade(client, login, world, token_for):
    results.confirm_grades(world["cycle"], actor=world["office"])  # graded, not yet published
    a, user = world["a"]["丁"], world["users"]["丁"]
    login(user)
    page = client.get(f"/cycles/assessments/{a.id}").get_data(as_text=True)
    assert "考评结果发布后可见" in page and "85.00" not in page and "良好" not in page
    cycle_page = client.get(f"/cycles/{world['cycle'].id}").get_data(as_text=True)
    assert "结果发布后可见" in cycle_page and "良好" not in cycle_page
    h = token_for(user)
    body = client.get(f"/api/v1/assessments/{a.id}", headers=h).json
    assert (body["review_score"], body["grade"], body["grade_label"]) == (None, None, "")
    assert client.get(f"/api/v1/assessments/{a.id}/opinion", headers=h).status_code == 404
    # the office still sees everything
    office = client.get(f"/api/v1/assessments/{a.id}", headers=token_for(world["office"])).json
    assert (office["review_score"], office["grade"]) == ("85.00", "good")


def test_after_publishing_the_unit_reads_its_result_opinion_and_notice(client, login, world, token_for):
    _publish(world)
    a, user = world["a"]["丁"], world["users"]["丁"]
    login(user)
    page = client.get(f"/cycles/assessments/{a.id}").get_data(as_text=True)
    assert 'id="result"' in page and "85.00" in page and "良好" in page and "总体较好" in page
    assert "普法责任清单未公示" in page and "查看整改通知书并开始整改" in page
    h = token_for(user)
    assert client.get(f"/api/v1/assessments/{a.id}", headers=h).json["grade"] == "good"
    opinion = client.get(f"/api/v1/assessments/{a.id}/opinion", headers=h).json
    assert opinion["text"] == "总体较好，仍有不足" and opinion["notice_id"] is not None
    # another unit's opinion stays out of reach
    other = world["a"]["甲"]
    assert client.get(f"/api/v1/assessments/{other.id}/opinion", headers=h).status_code == 404


def test_publishing_mails_each_units_liaison_with_a_link_to_its_result(world):
    unit = world["units"]["丁"]
    unit.contacts.append(Contact(role="liaison", name="李联络", email="lianluo@example.cn"))
    db.session.commit()
    _publish(world)
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "results.published",
                                                              OutboxMessage.channel == "email")).all()
    assert [m.recipient for m in mails] == ["lianluo@example.cn"]
    assert mails[0].link.endswith(f"/cycles/assessments/{world['a']['丁'].id}") and "良好" in mails[0].subject
    assert len(mails[0].key) <= 200
