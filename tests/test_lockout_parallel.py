"""The sign-in lockout holds under parallel attempts (issue 7).

100 requests at once used to read the same failure count: sixty wrong
passwords were checked and the right one then accepted. Each attempt now
reserves a try atomically before its password is checked, and a success is
conditional on the account not being locked meanwhile.
"""
from __future__ import annotations

import threading

import sqlalchemy as sa

from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, User

PASSWORD = "Secret123"
THRESHOLD = 5


def _counting_checks(monkeypatch, hold_right=None):
    """Count password checks; optionally hold the right password's check until an event is set."""
    checked: list[str] = []
    lock = threading.Lock()
    real = User.check_password

    def check(self, password):
        with lock:
            checked.append(password)
        if hold_right is not None and password == PASSWORD:
            assert hold_right.wait(60)
        return real(self, password)

    monkeypatch.setattr(User, "check_password", check)
    return checked


def _attempt(app, password, results, index, start):
    client = app.test_client()
    start.wait()
    response = client.post("/api/v1/auth/token", json={"username": "office", "password": password})
    results[index] = response.status_code


def _run(app, passwords):
    results = [None] * len(passwords)
    start = threading.Barrier(len(passwords))
    threads = [threading.Thread(target=_attempt, args=(app, pw, results, i, start))
               for i, pw in enumerate(passwords)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_100_parallel_wrong_passwords_check_at_most_the_threshold(app, office_user, monkeypatch):
    checked = _counting_checks(monkeypatch)
    results = _run(app, ["wrong-%d" % i for i in range(100)])
    assert set(results) == {401}, results
    assert len(checked) <= THRESHOLD, f"{len(checked)} passwords checked in parallel"
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.username == "office"))
    assert user.locked_until is not None
    # and the right password is refused now
    response = app.test_client().post("/api/v1/auth/token", json={"username": "office", "password": PASSWORD})
    assert response.status_code == 401 and "锁定" in response.get_json()["error"]["message"]
    failures = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action.in_(["user.login_failed", "user.locked"])))
    assert failures == len(checked)


def test_a_right_password_racing_the_lockout_is_refused(app, office_user, monkeypatch):
    """The right password's check starts first and ends after parallel wrong ones locked the account."""
    release = threading.Event()
    checked = _counting_checks(monkeypatch, hold_right=release)
    right = [None]
    started = threading.Barrier(1)
    thread = threading.Thread(target=_attempt, args=(app, PASSWORD, right, 0, started))
    thread.start()
    while PASSWORD not in checked:  # the right attempt holds a reserved try
        threading.Event().wait(0.01)
    results = _run(app, ["wrong-%d" % i for i in range(60)])
    assert set(results) == {401}
    release.set()
    thread.join(60)
    assert right == [401]
    assert len(checked) <= THRESHOLD
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.last_login_at).where(User.username == "office")) is None


def test_a_right_password_alone_still_signs_in_and_resets(app, office_user):
    client = app.test_client()
    for _ in range(THRESHOLD - 1):
        client.post("/api/v1/auth/token", json={"username": "office", "password": "nope"})
    assert client.post("/api/v1/auth/token", json={"username": "office", "password": PASSWORD}).status_code == 201
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.failed_logins).where(User.username == "office")) == 0
