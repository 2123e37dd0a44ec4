"""Members pick their organisation from the records or propose a new one."""

from __future__ import annotations

import sqlalchemy as sa

from interacta.core.registry import export_member_data
from interacta.members import services as member_services
from interacta.members.models import Member
from interacta.network.models import Organisation
from tests.fixtures.members import GOOD_PASSWORD


def test_profile_offers_the_records_and_links_the_one_picked(
    client, auth, db, make_member, make_organisation
):
    org = make_organisation("CIMIC Centre of Excellence", short_name="CCOE")
    member = make_member()
    db.session.commit()
    auth.login_as(member)
    page = client.get("/members/me").get_data(as_text=True)
    assert 'list="organisation-names"' in page
    assert '<option value="CIMIC Centre of Excellence">' in page
    response = client.post(
        "/members/me",
        data={
            "profile-name": member.name,
            "profile-affiliation": "ccoe",
            "profile-timezone": "Europe/Vienna",
        },
    )
    assert response.status_code == 302
    assert db.session.get(Member, member.id).organisation_id == org.id


def test_a_new_name_is_proposed_as_an_unconfirmed_record(db, make_member):
    member = make_member(affiliation="Harbour Rescue Association")
    db.session.commit()
    org = db.session.get(Organisation, member.organisation_id)
    assert org.name == "Harbour Rescue Association" and not org.is_confirmed
    other = make_member(affiliation="harbour rescue association")
    assert other.organisation_id == org.id
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 1


def test_export_names_the_organisation_and_erasure_unlinks_the_member(db, make_member):
    member = make_member(affiliation="Somewhere Institute", password=GOOD_PASSWORD)
    db.session.commit()
    assert member.organisation_id is not None
    exported = export_member_data(member)
    assert exported["organisation"] == {"name": "Somewhere Institute", "confirmed": False}
    member_services.erase_account(member, GOOD_PASSWORD)
    db.session.commit()
    assert db.session.get(Member, member.id).organisation_id is None
