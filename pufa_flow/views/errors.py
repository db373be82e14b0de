"""Error pages in Chinese for people, the JSON envelope for /api; no internals."""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from workflows import TransitionRefused

from ..api.base import handle_app_error, handle_http_error, handle_unexpected
from ..errors import AppError

TITLES = {400: "请求有误", 403: "没有权限", 404: "页面不存在", 405: "不支持的操作",
          409: "操作冲突", 413: "文件过大", 422: "填写有误", 500: "系统出错了"}
MESSAGES = {
    400: "请求内容有误，请返回重试。",
    403: "您的账户没有访问该页面的权限。",
    404: "您访问的页面或记录不存在，或不属于您的单位。",
    405: "该页面不支持此操作。",
    413: "上传的文件超过大小限制。",
    500: "系统出现了意外错误，已记录。请稍后重试，或联系普法办。",
}


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _page(status: int, message: str | None = None):
    return render_template("errors/error.html", status=status, title=TITLES.get(status, "出错了"),
                           message=message or MESSAGES.get(status, "请求无法完成。")), status


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(400, "页面已过期或表单校验失败，请刷新页面后重新提交。")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _is_api():
            return handle_http_error(exc)
        return _page(exc.code or 500)

    @app.errorhandler(AppError)
    def app_error(exc: AppError):
        # the request guard refuses before routing: an /api path no route matched gets the envelope too
        if _is_api():
            return handle_app_error(exc)
        return _page(exc.status, exc.message)

    @app.errorhandler(TransitionRefused)
    def refused(exc: TransitionRefused):
        return _page(409, exc.message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if _is_api():
            return handle_unexpected(exc)
        current_app.logger.exception("unhandled error")
        return _page(500)
