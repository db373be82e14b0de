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
    # validate_choice=False: a value outside the list reaches the service, which refuses it in Chinese
    kind = SelectField("单位类别", validate_choice=False)
    parent_id = SelectField("上级单位", coerce=str, validate_choice=False)
    has_enforcement_power = BooleanField("具有行政执法权限")


class UserForm(FlaskForm):
    username = StringField("用户名")
    display_name = StringField("姓名")
    password = PasswordField("初始密码")
    role = SelectField("角色", validate_choice=False)
    unit_id = SelectField("所属单位", coerce=str, validate_choice=False)


class ImportForm(FlaskForm):
    file = FileField("单位名册文件（.xlsx 或 .csv）")


class TransitionForm(FlaskForm):
    comment = TextAreaField("说明")


class CalendarImportForm(FlaskForm):
    file = FileField("节假日安排文件（.xlsx 或 .csv）")
