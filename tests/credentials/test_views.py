"""The organizer's certificates page: settings, the issue button, by hand, revoke."""

from __future__ import annotations

import sqlalchemy as sa

from interacta.credentials.models import Certificate
from tests.conftest import Auth


def test_organizer_turns_certificates_on_issues_and_revokes(
    client, db, make_course, make_registration, attend, organizer
):
    course = make_course(sessions=5)
    ana = make_registration(event=course, name="Ana Horvat")
    ben = make_registration(event=course, name="Ben Dupont")
    attend(course, ana, 4)
    Auth(client).login_as(organizer)
    page = client.get(f"/credentials/manage/{course.id}")
    assert page.status_code == 200 and "Ana Horvat" in page.get_data(as_text=True)
    response = client.post(
        f"/credentials/manage/{course.id}/settings",
        data={"is_enabled": "y", "rule": "completion", "min_percent": "80"},
    )
    assert response.status_code == 302
    response = client.post(f"/credentials/manage/{course.id}/issue", follow_redirects=True)
    assert "1 certificate issued." in response.get_data(as_text=True)
    certificate = db.session.scalar(sa.select(Certificate))
    assert certificate.holder_name == "Ana Horvat"
    # Ben by hand, with a reason.
    response = client.post(
        f"/credentials/manage/{course.id}/issue-one",
        data={"participant": ben.id, "issue_reason": "Followed the sessions online"},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 2
    response = client.post(
        f"/credentials/{certificate.id}/revoke",
        data={"reason": "Attendance list was wrong"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Attendance list was wrong" in html and "revoked on" in html
    db.session.refresh(certificate)
    assert certificate.revoked_at is not None


def test_settings_refuse_a_share_out_of_range(client, make_course, organizer):
    course = make_course(sessions=3)
    Auth(client).login_as(organizer)
    response = client.post(
        f"/credentials/manage/{course.id}/settings",
        data={"is_enabled": "y", "rule": "completion", "min_percent": "150"},
    )
    assert response.status_code == 400
    assert "between 1 and 100" in response.get_data(as_text=True)


def test_issue_by_hand_without_reason_is_refused(
    client, db, make_course, make_registration, organizer
):
    course = make_course(sessions=3)
    ana = make_registration(event=course, name="Ana")
    Auth(client).login_as(organizer)
    response = client.post(
        f"/credentials/manage/{course.id}/issue-one", data={"participant": ana.id}
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 0
