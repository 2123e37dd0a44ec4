import pytest

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10" fill="#036"/></svg>'
)


@pytest.fixture
def make_organisation(db):
    from interacta.network import services

    def make(name="Centre for Testing", **values):
        values.setdefault("is_partner", True)
        return services.create_organisation(name, **values)

    return make
