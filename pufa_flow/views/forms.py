"""Flask-WTF forms: CSRF on every form, lengths bounded; field checks stay in the services.

Each text field carries the same maximum as its service check (``MAX_LEN``),
so a page refuses a megabyte before the service sees it, and a refused form
says why in Chinese (``PufaForm.validate`` flashes each error).
"""
from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..services.validation import MAX_LEN

CSRF_MESSAGE = "页面已过期或表单校验失败，请刷新页面后重新提交。"


def limit(kind: str, label: str) -> Length:
    return Length(max=MAX_LEN[kind], message=f"{label}不能超过{MAX_LEN[kind]}个字符")


class PufaForm(FlaskForm):
    """A refused form flashes its errors in Chinese (WTForms' own are English)."""

    def validate(self, extra_validators=None) -> bool:
        if super().validate(extra_validators=extra_validators):
            return True
        for name, messages in self.errors.items():
            if name == "csrf_token":
                flash(CSRF_MESSAGE, "error")
                continue
            for message in messages:
                flash(message, "error")
        return False


class LoginForm(FlaskForm):  # shows its field errors beside the fields
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), limit("username", "用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), limit("password", "密码")])


class ActionForm(FlaskForm):
    """A bare form: CSRF token only (sign-out, state-changing buttons)."""


class UnitForm(PufaForm):
    name = StringField("单位名称", validators=[limit("name", "单位名称")])
    # choices are checked by the service, whose message lists the accepted ids
    kind = SelectField("单位类别", validate_choice=False)
    parent_id = SelectField("上级单位", coerce=str, validate_choice=False)
    has_enforcement_power = BooleanField("具有行政执法权限")


class UserForm(PufaForm):
    username = StringField("用户名", validators=[limit("username", "用户名")])
    display_name = StringField("姓名", validators=[limit("person", "姓名")])
    password = PasswordField("初始密码", validators=[limit("password", "密码")])
    role = SelectField("角色", validate_choice=False)
    unit_id = SelectField("所属单位", coerce=str, validate_choice=False)


class ImportForm(PufaForm):
    file = FileField("单位名册文件（.xlsx 或 .csv）")


class TransitionForm(FlaskForm):
    comment = TextAreaField("说明", validators=[limit("comment", "说明")])


class CalendarImportForm(PufaForm):
    file = FileField("节假日安排文件（.xlsx 或 .csv）")


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("当前密码")
    new_password = PasswordField("新密码")
    confirm_password = PasswordField("再次输入新密码")


class PasswordResetForm(FlaskForm):
    password = PasswordField("新密码")


class TokenForm(FlaskForm):
    name = StringField("用途（如：数据对接）")
    days = SelectField("有效期", default="30")

    #: offered lives, in days (the API and the CLI default to 30 as well)
    DAYS = ("30", "7", "90", "180")


class UserEditForm(FlaskForm):
    display_name = StringField("姓名")
    role = SelectField("角色")
    unit_id = SelectField("所属单位", coerce=str)
    is_active = BooleanField("启用")
