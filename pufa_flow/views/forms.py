"""Flask-WTF forms: CSRF on every form; field checks stay in the services."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=50)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


class ActionForm(FlaskForm):
    """A bare form: CSRF token only (sign-out, state-changing buttons)."""


class UnitForm(FlaskForm):
    name = StringField("单位名称")
    kind = SelectField("单位类别")
    parent_id = SelectField("上级单位", coerce=str)
    has_enforcement_power = BooleanField("具有行政执法权限")


class UserForm(FlaskForm):
    username = StringField("用户名")
    display_name = StringField("姓名")
    password = PasswordField("初始密码")
    role = SelectField("角色")
    unit_id = SelectField("所属单位", coerce=str)


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


class ImportForm(FlaskForm):
    file = FileField("单位名册文件（.xlsx 或 .csv）")


class TransitionForm(FlaskForm):
    comment = TextAreaField("说明")
