"""Pages speak Chinese to people: labels, not stored ids; empty lists say what to do next."""
from helpers import new_cycle


def test_framework_copies_name_the_unit_kind_in_chinese(client, login, office_user, make_unit):
    new_cycle(office_user, [make_unit("区司法局")])
    login(office_user)
    html = client.get("/frameworks/").get_data(as_text=True)
    copies = html.split("各考评周期使用的副本")[1]
    assert "市（区）直部门" in copies
    assert "city_department" not in copies


def test_empty_lists_say_what_to_do_next(client, login, office_user, make_unit):
    unit = make_unit("区司法局")
    login(office_user)
    assert "或点右上角“新建单位”“批量导入”添加" in client.get("/units/?q=不存在的单位").get_data(as_text=True)
    assert "请放宽筛选条件" in client.get("/audit/?actor_id=999").get_data(as_text=True)
    assert "点“编辑”填写主要负责人" in client.get(f"/units/{unit.id}").get_data(as_text=True)
