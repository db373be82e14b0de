"""Sign-in pages: lockout, CSRF, cookies, redirects and error pages that leak nothing."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pufa_flow import config as config_module
from pufa_flow.extensions import db
from pufa_flow.models import User

from tests.conftest import make_test_app

PASSWORD = "Secret123"


def variant(app, tmp_path, **overrides):
    """Another app on the same database as ``app`` (the fixture made its tables)."""
    return make_test_app("sqlite", tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         **overrides)


@pytest.fixture
def csrf_app(app, tmp_path):
    other = variant(app, tmp_path, WTF_CSRF_ENABLED=True)
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def csrf_token(client, url: str = "/login") -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, html
    return match.group(1)


def post_login(client, username, password, url="/login", **extra):
    return client.post(url, data={"username": username, "password": password, **extra})


# -- wrong passwords and lockout -----------------------------------------------------------
def test_successful_login_goes_home(client, office_user):
    response = post_login(client, "office", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    assert client.get("/home").status_code == 200


def test_wrong_password_is_401_with_a_plain_message(client, office_user):
    response = post_login(client, "office", "wrong")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302  # still signed out


def test_unknown_user_gets_the_same_message(client, office_user):
    response = post_login(client, "nobody", "wrong")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_empty_form_is_not_a_server_error(client):
    response = client.post("/login", data={})
    assert response.status_code == 200
    assert "请输入用户名" in response.get_data(as_text=True)


def test_lockout_after_five_failures(client, office_user):
    for _ in range(4):
        text = post_login(client, "office", "wrong").get_data(as_text=True)
        assert "已锁定" not in text
    response = post_login(client, "office", "wrong")
    assert response.status_code == 401
    assert "已锁定" in response.get_data(as_text=True)

    response = post_login(client, "office", PASSWORD)
    assert response.status_code == 401
    assert "已锁定" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.locked_until).where(User.username == "office")) is not None


def test_inactive_account_cannot_sign_in(client, make_user):
    user = make_user("viewer", username="gone")
    user.is_active_account = False
    db.session.commit()
    response = post_login(client, "gone", PASSWORD)
    assert response.status_code == 401
    assert "停用" in response.get_data(as_text=True)


def test_deactivated_user_loses_the_session(client, office_user, make_user, login):
    user = make_user("viewer", username="soon-gone")
    login(user)
    assert client.get("/home").status_code == 200
    user.is_active_account = False
    db.session.commit()
    assert client.get("/home").status_code == 302


# -- CSRF ----------------------------------------------------------------------------------
def test_login_without_csrf_token_is_refused_in_chinese(csrf_app, office_user):
    client = csrf_app.test_client()
    response = post_login(client, "office", PASSWORD)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "表单校验失败" in text and "Traceback" not in text and "CSRF" not in text
    assert client.get("/home").status_code == 302


def test_login_with_csrf_token_works(csrf_app, office_user):
    client = csrf_app.test_client()
    response = post_login(client, "office", PASSWORD, csrf_token=csrf_token(client))
    assert response.status_code == 302
    assert client.get("/home").status_code == 200


def test_login_with_a_forged_csrf_token_is_refused(csrf_app, office_user):
    client = csrf_app.test_client()
    csrf_token(client)
    response = post_login(client, "office", PASSWORD, csrf_token="forged")
    assert response.status_code == 400


def test_logout_is_post_only(client, office_user, login):
    login(office_user)
    response = client.get("/logout")
    assert response.status_code == 405
    assert "不支持" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 200  # still signed in


def test_logout_needs_the_csrf_token(csrf_app, office_user):
    client = csrf_app.test_client()
    post_login(client, "office", PASSWORD, csrf_token=csrf_token(client))
    assert client.get("/home").status_code == 200

    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/home").status_code == 200  # a forged sign-out does nothing

    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/home")})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/home").status_code == 302


def test_api_is_exempt_from_csrf(csrf_app, office_user):
    client = csrf_app.test_client()
    response = client.post("/api/v1/auth/token", json={"username": "office", "password": PASSWORD})
    assert response.status_code == 201


# -- cookies -------------------------------------------------------------------------------
def test_production_cookie_flags(tmp_path, monkeypatch):
    for key in [k for k in __import__("os").environ if k.startswith("PUFA_")]:
        monkeypatch.delenv(key)
    settings = config_module.load(str(tmp_path))
    assert settings["PUFA_ENV"] == "production"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_session_cookie_as_sent(app, tmp_path, office_user):
    production_like = variant(app, tmp_path, SESSION_COOKIE_SECURE=True)
    try:
        client = production_like.test_client()
        response = post_login(client, "office", PASSWORD)
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert {"secure", "httponly", "samesite=lax"} <= flags, cookie
    finally:
        with production_like.app_context():
            db.engine.dispose()


# -- redirects after sign-in -----------------------------------------------------------------
@pytest.mark.parametrize("target", [
    "//evil.example", "//evil.example/home", "https://evil.example/", "http:evil.example",
    "/\\evil.example", "\\\\evil.example", "/\t/evil.example", " //evil.example",
    "javascript:alert(1)", "///evil.example", "evil.example",
])
def test_open_redirect_is_refused(client, office_user, target):
    from urllib.parse import quote

    response = post_login(client, "office", PASSWORD, url=f"/login?next={quote(target, safe='')}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/home", response.headers["Location"]


def test_local_next_is_followed(client, office_user):
    response = post_login(client, "office", PASSWORD, url="/login?next=/units/%3Fq%3D1")
    assert response.headers["Location"] == "/units/?q=1"


def test_login_page_when_signed_in_goes_home(client, office_user, login):
    login(office_user)
    assert client.get("/login?next=//evil.example").headers["Location"] == "/home"


# -- error pages leak nothing --------------------------------------------------------------------
@pytest.fixture
def fragile_app(app, tmp_path):
    other = variant(app, tmp_path, PROPAGATE_EXCEPTIONS=False)

    def explode():
        raise RuntimeError("secret-internal-detail in /srv/pufa/models.py")

    other.add_url_rule("/boom", "boom", explode)
    other.add_url_rule("/api/v1/boom", "api_boom", explode)
    yield other
    with other.app_context():
        db.engine.dispose()


def test_500_page_leaks_nothing(fragile_app):
    response = fragile_app.test_client().get("/boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "系统出现了意外错误" in text
    for secret in ("Traceback", "secret-internal-detail", "RuntimeError", "models.py"):
        assert secret not in text


def test_500_api_envelope_leaks_nothing(fragile_app):
    response = fragile_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.get_json() == {"error": {"code": "internal_error", "message": "服务器内部错误，请联系管理员"}}


def test_404_page_is_chinese_and_plain(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "页面不存在" in text
    assert "Traceback" not in text and "werkzeug" not in text.lower() and "Not Found" not in text


def test_404_api_is_an_envelope(client):
    response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert set(response.get_json()) == {"error"}

