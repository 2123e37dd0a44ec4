"""Members in four languages: pages, the account's language (chosen, stored, landed in after
sign-in), mails in the member's language, translated countries, sectors and time zones."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from interacta.members.models import Member
from tests.fixtures.members import GOOD_PASSWORD
from tests.members.conftest import link_in

BASE = "http://127.0.0.1:5000"


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def _member(db, email):
    return db.session.scalar(sa.select(Member).where(Member.email == email))


@pytest.fixture
def join_form():
    def data(**overrides):
        values = {
            "name": "Nadia Novak",
            "email": "nadia@example.org",
            "password": GOOD_PASSWORD,
            "country": "SI",
            "accept_privacy": "y",
        }
        return values | overrides

    return data


@pytest.fixture
def login(client):
    def post(email, password=GOOD_PASSWORD):
        return client.post("/members/login", data={"email": email, "password": password})

    return post


PAGES = {
    "fr": {
        "join": "Rejoindre le réseau",
        "login": "Mot de passe oublié ?",
        "me": "Changer de mot de passe",
    },
    "de": {
        "join": "Dem Netzwerk beitreten",
        "login": "Passwort vergessen?",
        "me": "Passwort ändern",
    },
    "sl": {
        "join": "Pridružite se mreži",
        "login": "Ste pozabili geslo?",
        "me": "Spremeni geslo",
    },
}


@pytest.mark.parametrize("lang", ["fr", "de", "sl"])
def test_join_sign_in_and_account_pages_are_in_the_pages_language(client, auth, make_member, lang):
    for page, path in (("join", "/members/join"), ("login", "/members/login")):
        response = client.get(f"/{lang}{path}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert _lang(html) == lang
        assert PAGES[lang][page] in html
        assert "Forgot your password?" not in html and "Join the network</h1>" not in html
    auth.login_as(make_member(password=GOOD_PASSWORD))
    html = client.get(f"/{lang}/members/me").get_data(as_text=True)
    assert _lang(html) == lang
    assert PAGES[lang]["me"] in html
    assert "Change password" not in html


def test_form_labels_and_errors_are_translated(client, join_form):
    response = client.post("/de/members/join", data=join_form(password="short"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert ">E-Mail-Adresse<" in html
    assert "Verwenden Sie mindestens 12 Zeichen." in html
    assert "(Pflichtfeld)" in html
    failed = client.post(
        "/fr/members/login", data={"email": "nobody@example.org", "password": GOOD_PASSWORD}
    )
    assert "L&#39;adresse e-mail ou le mot de passe est incorrect." in failed.get_data(as_text=True)


def test_joining_on_a_german_page_stores_german_and_mails_in_it(client, db, outbox, join_form):
    response = client.post("/de/members/join", data=join_form(email="dora@example.org"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/de/members/join/sent")
    assert _member(db, "dora@example.org").language == "de"
    [mail] = outbox(to="dora@example.org")
    assert mail.subject == "Interacta: Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert "Guten Tag Nadia Novak," in mail.text_body
    assert "48 Stunden gültig" in mail.text_body
    assert f"{BASE}/de/members/verify/" in mail.text_body
    assert "Meine E-Mail-Adresse bestätigen" in mail.html_body
    # An English page makes an English account.
    client.post("/members/join", data=join_form(email="erin@example.org"))
    assert _member(db, "erin@example.org").language == "en"


def test_slovenian_member_gets_the_verification_mail_in_slovenian(client, make_member, outbox):
    make_member(email="spela@example.org", name="Špela", language="sl", email_verified_at=None)
    # Asked for from an English page: the mail follows the account, not the page.
    assert client.post("/members/resend", data={"email": "spela@example.org"}).status_code == 200
    [mail] = outbox(to="spela@example.org")
    assert mail.subject == "Interacta: potrdite svoj e-poštni naslov"
    assert "Pozdravljeni, Špela,\n\nhvala, ker ste se pridružili mreži Interacta" in mail.text_body
    assert "Potrdi moj e-poštni naslov" in mail.html_body
    link = link_in(mail, "/members/verify/")
    assert link.startswith("/sl/members/verify/")
    verified = client.get(link)
    assert verified.status_code == 302
    assert verified.headers["Location"].endswith("/sl/members/login")


def test_slovenian_member_gets_the_reset_mail_in_slovenian(client, make_member, outbox):
    make_member(email="jure@example.org", name="Jure", language="sl", password=GOOD_PASSWORD)
    assert client.post("/members/reset", data={"email": "jure@example.org"}).status_code == 200
    [mail] = outbox(to="jure@example.org")
    assert mail.subject == "Interacta: ponastavitev gesla"
    assert "Pozdravljeni, Jure," in mail.text_body
    assert "velja eno uro" in mail.text_body
    assert "Izberite novo geslo" in mail.html_body
    link = link_in(mail, "/members/reset/")
    assert link.startswith("/sl/members/reset/")
    page = client.get(link)
    assert page.status_code == 200
    assert "Shrani novo geslo" in page.get_data(as_text=True)
    # The notice that the password changed is Slovenian too.
    client.post(link, data={"password": "a new and long passphrase"})
    changed = outbox(to="jure@example.org")[-1]
    assert changed.subject == "Interacta: vaše geslo je spremenjeno"
    assert f"takoj izberite novo geslo: {BASE}/sl/members/reset\nin pišite na" in changed.text_body
    # Its HTML part (made from the text) keeps the paragraphs.
    assert "<p>Pozdravljeni, Jure,</p>" in changed.html_body


def test_german_chosen_on_the_profile_is_saved_and_the_next_sign_in_lands_in_it(
    client, db, auth, make_member, login
):
    member = make_member(email="hans@example.org", password=GOOD_PASSWORD)
    auth.login_as(member)
    page = client.get("/members/me").get_data(as_text=True)
    select = page.split('id="profile-language"', 1)[1].split("</select>", 1)[0]
    assert '<option lang="de" value="de">Deutsch</option>' in select
    assert '<option lang="fr" value="fr">Français</option>' in select
    assert '<option lang="sl" value="sl">Slovenščina</option>' in select
    assert 'selected value="en">English</option>' in select
    response = client.post(
        "/members/me",
        data={
            "profile-name": member.name,
            "profile-timezone": "Europe/Berlin",
            "profile-language": "de",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert _member(db, "hans@example.org").language == "de"

    auth.logout()
    signed_in = login("hans@example.org")
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/de/members/me"
    # Wherever they were going, in German (and from a French page too).
    auth.logout()
    response = client.post(
        "/fr/members/login?next=/fr/events/",
        data={"email": "hans@example.org", "password": GOOD_PASSWORD},
    )
    assert response.headers["Location"] == "/de/events/"
    html = client.get("/de/members/me").get_data(as_text=True)
    assert 'selected value="de">Deutsch</option>' in html


def test_a_profile_post_without_a_language_keeps_it(client, db, auth, make_member):
    member = auth.login_as(make_member(language="fr"))
    response = client.post(
        "/members/me", data={"profile-name": "Renamed", "profile-timezone": "Europe/Paris"}
    )
    assert response.status_code == 302
    assert member.language == "fr"
    bad = client.post(
        "/members/me",
        data={"profile-name": "X", "profile-timezone": "Europe/Paris", "profile-language": "xx"},
    )
    assert bad.status_code == 400
    assert member.language == "fr"


def test_country_sector_and_time_zone_selects_are_in_the_pages_language(client, auth, make_member):
    auth.login_as(make_member(country="DE", sector="military"))
    html = client.get("/fr/members/me").get_data(as_text=True)
    country = html.split('id="profile-country"', 1)[1].split("</select>", 1)[0]
    assert 'selected value="DE">Allemagne</option>' in country
    assert ">Choisissez un pays</option>" in country
    # Sorted by the French name: Afrique du Sud comes before Allemagne, Égypte among the E.
    names = re.findall(r">([^<]+)</option>", country)[1:]
    assert names.index("Afrique du Sud") < names.index("Allemagne")
    assert names.index("Dominique") < names.index("Égypte") < names.index("Équateur")
    assert names.index("Équateur") < names.index("Espagne") < names.index("Estonie")
    assert 'selected value="military">Forces armées</option>' in html
    assert "Europe/Paris: Paris, heure d’Europe centrale" in html
    german = client.get("/de/members/me").get_data(as_text=True)
    assert 'selected value="DE">Deutschland</option>' in german
    slovenian = client.get("/sl/members/me").get_data(as_text=True)
    sl_countries = slovenian.split('id="profile-country"', 1)[1].split("</select>", 1)[0]
    sl_names = re.findall(r">([^<]+)</option>", sl_countries)[1:]
    # Č after C, Ž after Z (the Slovenian alphabet).
    assert sl_names.index("Čile") > sl_names.index("Ciper")
    assert sl_names.index("Čile") < sl_names.index("Danska")


def test_directory_and_network_charts_in_the_pages_language(client, auth, make_member):
    for n in range(6):
        make_member(
            email=f"army{n}@example.org",
            name=f"Army {n}",
            sector="military",
            country="DE",
            show_in_directory=True,
        )
    auth.login_as(make_member(sector="academia", country="SI", show_in_directory=True))
    html = client.get("/de/members/").get_data(as_text=True)
    assert _lang(html) == "de"
    assert "Mitgliederverzeichnis" in html
    assert "7 Mitglieder</h2>" in html
    assert "Militär · Deutschland" in html
    assert "Wissenschaft · Slowenien" in html
    assert "Militär: 6" in html and "Slowenien: weniger als 5" in html
    assert "7 Mitglieder aus weniger als 5 Ländern." in html
    slovenian = client.get("/sl/members/").get_data(as_text=True)
    assert "7 članov</h2>" in slovenian
    assert "Vojska · Nemčija" in slovenian


def test_account_mails_follow_the_members_language(client, db, auth, make_member, outbox):
    member = auth.login_as(
        make_member(email="ana@example.org", language="fr", password=GOOD_PASSWORD)
    )
    response = client.post(
        "/members/me/email",
        data={"email-new_email": "ana.new@example.org", "email-password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    [mail] = outbox(to="ana.new@example.org")
    assert mail.subject == "Interacta : confirmez votre nouvelle adresse e-mail"
    assert f"{BASE}/fr/members/confirm-email/" in mail.text_body
    client.get(link_in(mail, "/members/confirm-email/"))
    [notice] = outbox(to="ana@example.org")
    assert notice.subject == "Interacta : votre adresse e-mail a été modifiée"
    assert "ana.new@example.org" in notice.text_body
    assert member.email == "ana.new@example.org"

    erased = make_member(email="eva@example.org", name="Eva", language="de", password=GOOD_PASSWORD)
    auth.login_as(erased)
    assert client.post("/members/me/delete", data={"password": GOOD_PASSWORD}).status_code == 302
    [goodbye] = outbox(to="eva@example.org")
    assert goodbye.subject == "Interacta: Ihr Konto wurde gelöscht"
    assert f"{BASE}/de/members/join" in goodbye.text_body


def test_an_existing_address_joining_again_is_told_in_its_own_language(
    client, make_member, outbox, join_form
):
    make_member(email="known@example.org", language="sl")
    client.post("/fr/members/join", data=join_form(email="known@example.org"))
    [mail] = outbox(to="known@example.org")
    assert mail.subject == "Interacta: račun že imate"
    assert f"{BASE}/sl/members/login" in mail.text_body


def test_english_mails_read_as_before(client, outbox, join_form):
    client.post("/members/join", data=join_form(email="eng@example.org"))
    [mail] = outbox(to="eng@example.org")
    assert mail.subject == "Interacta: please confirm your email address"
    assert mail.text_body.startswith(
        "Hello Nadia Novak,\n\nthank you for joining the Interacta network. Please confirm"
    )
    assert "usable once):\n\nhttp://127.0.0.1:5000/members/verify/" in mail.text_body


def test_admin_accounts_page_in_the_pages_language(client, auth, make_admin, make_member):
    make_member(name="Olga Organizer", role="organizer")
    auth.login_as(make_admin())
    html = client.get("/sl/members/admin").get_data(as_text=True)
    assert _lang(html) == "sl"
    assert "<h1>Računi</h1>" in html
    assert '<option value="organizer" selected>Organizator</option>' in html
    assert "Revizijska sled" in html
