"""How an audit row reads on a page: labels instead of codes, changes as
"字段：旧值 → 新值", forced steps flagged. The rows keep their codes (the API
and exports need them); only the page translates."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import (CONTACT_ROLES, GRADES, ITEM_CATEGORIES, NOTICE_SOURCES, ROLES, STATEFUL_MODELS,
                      UNIT_KINDS)

ACTIONS = {
    "unit.create": "新建单位", "unit.update": "修改单位", "units.import": "导入单位",
    "user.create": "新建用户", "user.update": "修改用户", "user.login": "登录", "user.logout": "退出登录",
    "user.login_failed": "登录失败", "user.locked": "账户锁定", "user.unlock": "解除锁定",
    "user.password_change": "修改本人密码", "user.password_reset": "重置密码",
    "token.issue": "签发令牌", "token.revoke": "撤销令牌", "token.revoke_all": "撤销全部令牌",
    "transition": "状态变更", "cycle.create": "新建考评周期", "notice.create": "下发整改通知书",
    "calendar.set": "录入放假调休", "calendar.clear": "删除放假调休录入", "calendar.import": "导入放假调休",
    "calendar.confirm": "确认年度安排录入完整", "calendar.withdraw": "撤销年度安排确认",
    "sample.draw": "实地调研抽样", "team.create": "建立调研评估小组", "team.update": "修改调研评估小组",
    "team.delete": "删除调研评估小组", "team.assign": "调研分组", "panel.assign": "评议团分工",
    "panel.profile": "评议团成员身份",
    "cycle.add_units": "增加参评单位", "assessment.extend": "延长自评截止日期",
    "framework.seed": "写入指标体系", "framework.copy": "复制指标体系", "framework.update": "修改指标体系",
    "self_assessment.sheet": "保存自测得分表", "self_assessment.checklist": "保存重点内容自查表",
    "self_assessment.problems": "保存问题清单", "self_assessment.cases": "保存典型案例",
    "self_assessment.report_text": "保存自评报告", "self_assessment.self_report": "上传自评报告",
    "self_assessment.self_evidence": "上传佐证材料",
    "filing_type.create": "新增报备事项", "filing_type.update": "修改报备事项",
    "notice.draft": "起草整改通知书", "notice.update": "修改整改通知书", "inspection.create": "新建督查",
    "inspection.update": "修改督查", "inspection.import": "导入整改事项", "item.evidence": "上传佐证材料",
    "item.note": "记录整改进展", "item.reassign": "改派整改事项", "item.remind": "催办", "item.extend": "普法办延期",
    "results.rules": "设置等次规则", "results.grade_adjust": "调整等次", "results.grades_confirm": "确认等次",
    "results.opinion": "保存评估意见", "results.publish": "发布考评结果", "results.commend": "记录表彰",
    "results.commend_delete": "删除表彰记录",
    "self_assessment.record_override": "改动报备记录建议的扣分",
    "bulletin.save": "撰写考评情况通报",
    "reminders.policy": "修改提醒规则", "reminders.policy_restore": "恢复默认提醒规则", "reminders.robots": "设置工作群机器人",
}

FIELDS = {
    "name": "名称", "kind": "单位类别", "parent_id": "上级单位", "has_enforcement_power": "执法权限",
    "is_active": "启用", "is_active_account": "启用", "role": "角色", "unit_id": "所属单位",
    "display_name": "姓名", "username": "用户名", "password": "密码", "contacts": "联系人",
    "due_date": "整改时限", "requested_due_date": "申请延期至", "new_due_date": "延期至", "measures": "整改措施",
    "self_score": "自评得分", "review_score": "评审得分", "grade": "等次", "title": "标题",
    "items": "整改事项数", "year": "年度", "tokens_revoked": "撤销令牌数", "token_id": "令牌编号",
    "locked_until": "锁定至", "source": "来源", "category": "类别", "reason": "理由",
    "count": "数量", "file": "文件", "rows": "行数", "created": "新建数",
    "start": "开始日期", "end": "结束日期", "note": "依据", "days": "天数", "seed": "随机种子",
    "quotas": "抽取数", "forced_in": "指定纳入", "forced_out": "指定排除", "sampled": "抽中单位数",
    "dropped_from_teams": "移出小组的单位", "team_id": "小组编号", "leader_id": "组长", "member_ids": "成员",
    "affiliation": "身份类别", "organisation": "工作单位", "filename": "文件名", "ranges": "段数",
    "files": "文件", "from_unit_id": "原责任单位", "to_unit_id": "改派至单位", "notices": "整改通知书数",
    "rejected_rows": "未通过检查的行数", "issued": "直接下发", "units": "单位数", "doc_year": "文号年度",
    "doc_seq": "文号序号", "due_dates": "整改时限", "issued_at": "下发时间", "approved_due_date": "批准的时限",
    "rule_id": "扣分规则", "suggested": "记录建议次数", "chosen": "单位选择次数", "evidence": "报备记录",
}

#: value vocabularies by field, so a stored code reads as its label
VALUES = {"role": ROLES, "kind": UNIT_KINDS, "grade": GRADES, "category": ITEM_CATEGORIES,
          "source": NOTICE_SOURCES, "contact_role": CONTACT_ROLES}
#: data keys shown elsewhere on the row (or meaningless to a reader)
HIDDEN = {"changes", "forced"}


@dataclass
class Entry:
    action: str
    trigger: str = ""
    states: str = ""
    forced: bool = False
    changes: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


#: data keys holding a UTC time as ISO text, shown in the office's zone
TIMES = {"locked_until", "issued_at"}


def _local_time(text: str) -> str:
    from datetime import datetime

    from flask import current_app

    from ..clock import format_local

    try:
        return format_local(datetime.fromisoformat(text), current_app.config.get("PUFA_TIMEZONE"))
    except (TypeError, ValueError):
        return str(text)


def _value(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if key in TIMES and isinstance(value, str):
        return _local_time(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "password" and value == "changed":
        return "已修改"
    vocabulary = VALUES.get(key)
    if vocabulary and isinstance(value, str):
        return vocabulary.get(value, value)
    if isinstance(value, (list, tuple)):
        return "、".join(_value(key, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{FIELDS.get(k, k)}：{_value(k, v)}" for k, v in value.items())
    return str(value)


def _change(key: str, pair) -> str:
    label = FIELDS.get(key, key)
    if isinstance(pair, (list, tuple)) and len(pair) == 2:
        return f"{label}：{_value(key, pair[0])} → {_value(key, pair[1])}"
    return f"{label}：{_value(key, pair)}"


def describe(event) -> Entry:
    data = event.data if isinstance(event.data, dict) else {}
    model = STATEFUL_MODELS.get(event.object_type)
    label = ACTIONS.get(event.action, event.action)
    entry = Entry(action=label, forced=bool(data.get("forced")))
    if event.trigger:
        entry.trigger = model.workflow.trigger_label(event.trigger) if model else event.trigger
    if event.from_state or event.to_state:
        label = model.workflow.state_label if model else (lambda s: s)
        entry.states = f"{label(event.from_state) if event.from_state else '—'} → {label(event.to_state)}"
    changes = data.get("changes") if event.action == "transition" else (
        {k: v for k, v in data.items() if isinstance(v, list) and len(v) == 2 or k == "password"}
        if event.action in ("user.update", "unit.update") else {})
    for key, pair in (changes or {}).items():
        entry.changes.append(_change(key, pair))
    for key, value in data.items():
        if key in HIDDEN or key in (changes or {}):
            continue
        entry.details.append(f"{FIELDS.get(key, key)}：{_value(key, value)}")
    return entry
