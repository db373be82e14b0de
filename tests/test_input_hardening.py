"""Ids beyond what the databases store are a 404 everywhere, never a 500."""
import pytest

HUGE = [2**31, 2**63, 10**30]


@pytest.mark.parametrize("number", HUGE)
@pytest.mark.parametrize("path", ["/api/v1/units/{}", "/api/v1/cycles/{}", "/api/v1/items/{}",
                                  "/api/v1/notices/{}", "/api/v1/users/{}",
                                  "/api/v1/assessments/{}"])
def test_api_huge_path_id_is_404(client, office_user, token_for, path, number):
    response = client.get(path.format(number), headers=token_for(office_user))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/units/{}", "/cycles/{}", "/items/{}", "/notices/{}"])
def test_page_huge_path_id_is_404(client, office_user, login, path):
    login(office_user)
    assert client.get(path.format(2**31)).status_code == 404
    assert client.get(path.format(2**63)).status_code == 404


def test_openapi_declares_the_id_range(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    param = spec["paths"]["/api/v1/units/{unit_id}"]["get"]["parameters"][0]
    assert param["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def test_every_integer_in_a_route_is_a_bounded_id(app):
    """A new route written with ``<int:…>`` would accept ids the databases cannot hold."""
    from werkzeug.routing import IntegerConverter

    from pufa_flow.converters import IdConverter

    unbounded = [
        rule.rule for rule in app.url_map.iter_rules()
        for conv in rule._converters.values()
        if isinstance(conv, IntegerConverter) and not isinstance(conv, IdConverter)
    ]
    assert unbounded == []
