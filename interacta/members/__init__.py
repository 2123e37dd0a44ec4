"""Members: accounts, profiles, directory, roles, GDPR export and erasure."""

from flask import Blueprint, Flask

bp = Blueprint("members", __name__, template_folder="templates")

from interacta.members import views  # noqa: E402,F401


def init_app(app: Flask) -> None:
    from interacta.extensions import db, login_manager
    from interacta.members.models import Member

    @login_manager.user_loader
    def load_member(member_id: str):
        try:
            member = db.session.get(Member, int(member_id))
        except ValueError:
            return None
        return member if member and member.is_active else None
