"""Every request's text checked before any view reads it: one gate for pages and API.

Query strings, form fields and path segments that cannot be stored or shown
(NUL, which PostgreSQL refuses in text with a 500; lone surrogates;
controls outside line breaks; megabytes in one field) are answered with a
Chinese 400 here, so no view and no query ever meets them. JSON bodies get the
same checks where they are parsed (``api.base.json_body``).

A page form whose view reads every field through services/validation (which
refuses the same characters with a message naming the field) is marked with
``@checks_own_form``: its refused characters reach the view, and the person
sees "标题含有空字符（NUL）" on the form instead of the 400 page.
"""
from __future__ import annotations

from flask import current_app, request

from .errors import BadRequest
from .services.validation import encoding_problem, shown

#: the longest query value any filter needs (a search box, a date, an id)
MAX_QUERY_VALUE = 500
#: a backstop above every form field's own limit (the longest is 5,000 characters)
MAX_FORM_VALUE = 20_000


def _check(kind: str, name: str | None, value: str, *, limit: int, multiline: bool) -> None:
    name = name or ""  # a multipart part may come without a name
    if problem := encoding_problem(name, multiline=False):
        raise BadRequest(f"{kind}的参数名{problem}", details={"field": shown(name)})
    if len(value) > limit:
        raise BadRequest(f"{kind}参数 {shown(name)} 过长（不能超过{limit}个字符）", details={"field": shown(name)})
    if problem := encoding_problem(value, multiline=multiline):
        raise BadRequest(f"{kind}参数 {shown(name)} {problem}", details={"field": shown(name)})


def checks_own_form(view):
    """Mark a page view whose form fields all pass services/validation (clean_text & co)."""
    view.checks_own_form = True
    return view


def _view_checks_its_form() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "checks_own_form", False)) and not request.path.startswith("/api/")


def check_request() -> None:
    for name, value in request.args.items(multi=True):
        _check("查询", name, value, limit=MAX_QUERY_VALUE, multiline=True)
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            _check("路径", name, value, limit=MAX_QUERY_VALUE, multiline=False)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        own = _view_checks_its_form()
        for name, value in request.form.items(multi=True):
            if own:  # the view names the field and says what is wrong; the length backstop stays
                _check("表单", name, "", limit=MAX_FORM_VALUE, multiline=True)
                if len(value) > MAX_FORM_VALUE:
                    _check("表单", name, value, limit=MAX_FORM_VALUE, multiline=True)
                continue
            _check("表单", name, value, limit=MAX_FORM_VALUE, multiline=True)
        for upload in request.files.values():
            if upload.filename and (problem := encoding_problem(upload.filename, multiline=False)):
                raise BadRequest(f"文件名{problem}")


def register(app) -> None:
    app.before_request(check_request)
