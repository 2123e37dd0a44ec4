"""`flask credentials list [--revoked]` and `flask credentials issue <event>`."""

from __future__ import annotations

from interacta.credentials import services


def test_issue_then_list_prints_url_holder_and_event(
    app, runner, db, make_course, make_registration, attend, organizer
):
    course = make_course(sessions=5)
    ana = make_registration(event=course, name="Ana Horvat")
    ben = make_registration(event=course, name="Ben Dupont")
    attend(course, ana, 5)
    attend(course, ben, 4)
    refused = runner.invoke(args=["credentials", "issue", course.slug])
    assert refused.exit_code != 0 and "not turned on" in refused.output
    services.save_settings(course, True, "completion", 80)
    db.session.commit()
    result = runner.invoke(args=["credentials", "issue", str(course.id)])
    assert result.exit_code == 0 and "certificates issued: 2" in result.output
    again = runner.invoke(args=["credentials", "issue", course.slug])
    assert "certificates issued: 0" in again.output
    listing = runner.invoke(args=["credentials", "list"])
    lines = listing.output.strip().splitlines()
    assert len(lines) == 2
    url, holder, event, state = lines[0].split("\t")
    assert "/credentials/" in url and holder in {"Ana Horvat", "Ben Dupont"}
    assert event == course.title and state == "valid"
    certificate = services.certificates_of_event(course)[0]
    services.revoke(course, certificate.id, "Mistake", organizer.id)
    db.session.commit()
    revoked = runner.invoke(args=["credentials", "list", "--revoked"]).output.strip()
    assert revoked.splitlines() == [
        f"{services.verify_url(certificate)}\t{certificate.holder_name}\t{course.title}\trevoked"
    ]
    assert runner.invoke(args=["credentials", "issue", "no-such-event"]).exit_code != 0
