"""A province-sized, deterministic data set, written with Core bulk inserts.

``generate(conn, units=5000, seed=1)`` writes

* units: ~2 % city departments (市直部门, top level), ~0.4 % counties
  (县(市、区), top level) and the rest towns and streets (乡镇(街道)) spread
  unevenly over the counties: for 5,000 that is 100 + 20 + 4,880;
* three contacts per unit: 主要负责人, 分管领导, 联络员, with Chinese names,
  mobile numbers matching ``1[3-9]\\d{9}`` and e-mail addresses;
* one ``unit`` user for every tenth unit, plus ``office_users`` office users.

It takes a Session or a Connection (anything with ``execute``), issues a
handful of executemany INSERTs (units in two statements because towns need
their county's id, contacts in one, users in one; SQLAlchemy pages them with
insertmanyvalues) and does not commit: the caller owns the transaction.

The rows are first built as plain dicts by ``plan()`` from ``random.Random(seed)``
so the same seed always gives the same data, and the ORM baseline in
bench_datagen can insert exactly the same rows another way.

Later benchmarks reuse it: ``generate_items`` adds notices and rectification
items for units that have a unit user, ``generate_cycle`` a cycle with its
phases and one assessment per active unit.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa

BENCH_PASSWORD = "Bench12345"
CONTACT_ROLE_ORDER = ("principal", "leader", "liaison")

# -- vocabularies -------------------------------------------------------------
SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"),
    ("林", "lin"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("袁", "yuan"),
    ("潘", "pan"), ("于", "yu"), ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"),
    ("叶", "ye"), ("程", "cheng"), ("苏", "su"), ("魏", "wei"), ("吕", "lv"), ("丁", "ding"),
    ("任", "ren"), ("沈", "shen"), ("姚", "yao"), ("卢", "lu"), ("姜", "jiang"), ("崔", "cui"),
    ("钟", "zhong"), ("谭", "tan"), ("陆", "lu"), ("汪", "wang"), ("范", "fan"), ("金", "jin"),
    ("石", "shi"), ("廖", "liao"), ("贾", "jia"), ("夏", "xia"), ("韦", "wei"), ("付", "fu"),
    ("方", "fang"), ("白", "bai"), ("邹", "zou"), ("孟", "meng"), ("熊", "xiong"), ("秦", "qin"),
    ("邱", "qiu"), ("江", "jiang"), ("尹", "yin"), ("薛", "xue"), ("闫", "yan"), ("段", "duan"),
    ("雷", "lei"), ("侯", "hou"), ("龙", "long"), ("史", "shi"), ("黎", "li"), ("贺", "he"),
    ("顾", "gu"), ("毛", "mao"), ("郝", "hao"), ("龚", "gong"), ("邵", "shao"), ("万", "wan"),
    ("欧阳", "ouyang"), ("司马", "sima"), ("诸葛", "zhuge"), ("上官", "shangguan"),
]
GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"),
    ("平", "ping"), ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("文", "wen"),
    ("建", "jian"), ("国", "guo"), ("红", "hong"), ("志", "zhi"), ("海", "hai"), ("波", "bo"),
    ("辉", "hui"), ("鹏", "peng"), ("宇", "yu"), ("晨", "chen"), ("欣", "xin"), ("婷", "ting"),
    ("雪", "xue"), ("琳", "lin"), ("晓", "xiao"), ("东", "dong"), ("斌", "bin"), ("峰", "feng"),
    ("慧", "hui"), ("玲", "ling"), ("燕", "yan"), ("春", "chun"), ("梅", "mei"), ("兰", "lan"),
    ("俊", "jun"), ("浩", "hao"), ("亮", "liang"), ("飞", "fei"), ("鑫", "xin"), ("博", "bo"),
    ("丹", "dan"), ("萍", "ping"), ("颖", "ying"), ("佳", "jia"), ("倩", "qian"), ("雯", "wen"),
    ("凯", "kai"), ("健", "jian"), ("荣", "rong"), ("宏", "hong"), ("新", "xin"), ("林", "lin"),
    ("振", "zhen"), ("德", "de"), ("永", "yong"), ("正", "zheng"), ("光", "guang"), ("金", "jin"),
    ("玉", "yu"), ("成", "cheng"), ("云", "yun"), ("清", "qing"), ("立", "li"), ("瑞", "rui"),
    ("子", "zi"), ("思", "si"), ("嘉", "jia"), ("怡", "yi"), ("睿", "rui"), ("泽", "ze"),
]
CITY_DEPARTMENTS = [
    "市委办公室", "市政府办公室", "市人大常委会办公室", "市政协办公室", "市纪委监委", "市委组织部",
    "市委宣传部", "市委统战部", "市委政法委", "市委网信办", "市委编办", "市委党校",
    "市委党史研究室", "市委机要保密局", "市委老干部局", "市直机关工委", "市发展和改革委员会",
    "市教育局", "市科学技术局", "市工业和信息化局", "市民族宗教事务局", "市公安局", "市民政局",
    "市司法局", "市财政局", "市人力资源和社会保障局", "市自然资源和规划局", "市生态环境局",
    "市住房和城乡建设局", "市交通运输局", "市水利局", "市农业农村局", "市商务局",
    "市文化广电新闻出版旅游局", "市卫生健康委员会", "市退役军人事务局", "市应急管理局", "市审计局",
    "市人民政府国有资产监督管理委员会", "市市场监督管理局", "市体育局", "市统计局", "市医疗保障局",
    "市林业局", "市城市管理局", "市信访局", "市机关事务管理局", "市行政审批局", "市大数据中心",
    "市人民防空办公室", "市地方金融监督管理局", "市乡村振兴局", "市外事办公室", "市侨务办公室",
    "市台湾事务办公室", "市档案馆", "市地方志办公室", "市住房公积金管理中心", "市公共资源交易中心",
    "市中级人民法院", "市人民检察院", "市税务局", "市气象局", "市消防救援支队", "市烟草专卖局",
    "市邮政管理局", "市海关", "市总工会", "团市委", "市妇女联合会", "市科学技术协会",
    "市残疾人联合会", "市红十字会", "市工商业联合会", "市文学艺术界联合会",
    "市社会科学界联合会", "市供销合作社", "市归国华侨联合会", "市广播电视台", "市日报社",
    "市供电公司", "市移动公司", "市电信公司", "市联通公司", "市邮政分公司", "市人民银行中心支行",
    "市金融监管分局", "市交通运输综合行政执法支队", "市生态环境保护综合行政执法支队",
    "市农业综合行政执法支队", "市文化市场综合行政执法支队", "市市场监管综合行政执法支队",
    "市城市管理综合行政执法支队", "市公路事业发展中心", "市水文局", "市地震局", "市国家安全局",
    "市粮食和物资储备局", "市融媒体中心", "市职业技术学院",
]
PLACE_CHARS = (
    "东西南北中新安宁平和兴丰河山石桥沙湖城关泉溪塘坪岭江口田港湾洲坝桃李杨柳梅竹松"
    "青白黄金银云龙凤鹤马牛龟莲花高长永福寿康乐富盛华阳光明德仁义礼信星月天水林峰岗"
)
COUNTY_SUFFIXES = ["县", "县", "县", "区", "区", "市"]
TOWN_SUFFIXES = ["镇", "镇", "镇", "乡", "乡", "街道"]
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147",
    "150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "170", "171",
    "173", "175", "176", "177", "178", "180", "181", "182", "183", "184", "185", "186",
    "187", "188", "189", "191", "193", "195", "198", "199",
]
MAIL_DOMAINS = ["163.com", "126.com", "qq.com", "sina.com", "139.com", "foxmail.com"]
PROBLEMS = [
    ("organisation", "普法领导小组未按规定调整,年度未召开专题会议", "调整领导小组成员并召开专题会议研究普法工作"),
    ("planning", "年度普法责任清单未按时公布", "补充公布年度普法责任清单并报普法办备案"),
    ("internal", "干部学法制度落实不到位,学法记录不全", "完善学法用法制度,补齐学法记录"),
    ("public", "面向社会的普法活动形式单一,覆盖面不足", "结合重要时间节点开展主题普法活动"),
    ("archives", "普法工作档案资料归档不规范", "按档案管理要求整理归档普法资料"),
    ("enforcement", "以案释法案例未按要求报送", "报送以案释法典型案例不少于两个"),
    ("other", "普法工作信息报送不及时", "明确信息报送责任人,按月报送工作信息"),
]


# -- the plan: plain rows, no database -----------------------------------------
@dataclass
class Plan:
    #: name, kind, parent (index into units, or None), has_enforcement_power
    units: list[dict] = field(default_factory=list)
    #: unit (index), role, name, phone, email
    contacts: list[dict] = field(default_factory=list)
    #: unit (index or None), username, display_name, role
    users: list[dict] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.units) + len(self.contacts) + len(self.users)


def split(units: int) -> tuple[int, int, int]:
    """(city departments, counties, towns) for a total of ``units``."""
    if units < 3:
        return units, 0, 0
    departments = max(1, round(units * 0.02))
    counties = max(1, round(units * 0.004))
    return departments, counties, units - departments - counties


def person(rng: random.Random) -> tuple[str, str]:
    """(汉字 name, pinyin) e.g. ('张晓东', 'zhangxiaodong')."""
    surname, s_py = rng.choice(SURNAMES)
    parts = [rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.3 else 2)]
    return surname + "".join(p[0] for p in parts), s_py + "".join(p[1] for p in parts)


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"


def email(rng: random.Random, pinyin: str) -> str:
    domain = rng.choice(MAIL_DOMAINS)
    if domain == "qq.com" and rng.random() < 0.7:
        return f"{rng.randrange(10 ** 5, 10 ** 10)}@qq.com"
    suffix = str(rng.randrange(1960, 2005)) if rng.random() < 0.5 else ""
    return f"{pinyin}{suffix}@{domain}"


def _unique_names(rng: random.Random, count: int, suffixes: list[str], taken: set[str]) -> list[str]:
    names = []
    while len(names) < count:
        if len(taken) > 0.8 * len(PLACE_CHARS) ** 2 * len(set(suffixes)):
            base = rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS) + str(len(names) + 1)
        else:
            base = rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS)
        name = base + rng.choice(suffixes)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def plan(units: int = 5000, seed: int = 1, office_users: int = 1) -> Plan:
    rng = random.Random(seed)
    n_dept, n_county, n_town = split(units)
    p = Plan()
    top_names: set[str] = set()
    for i in range(n_dept):
        name = CITY_DEPARTMENTS[i % len(CITY_DEPARTMENTS)]
        if i >= len(CITY_DEPARTMENTS):
            name = f"{name}第{i // len(CITY_DEPARTMENTS) + 1}分支"
        top_names.add(name)
        p.units.append({"name": name, "kind": "city_department", "parent": None,
                        "has_enforcement_power": name.endswith(("局", "委员会", "支队", "监委"))})
    for name in _unique_names(rng, n_county, COUNTY_SUFFIXES, top_names):
        p.units.append({"name": name, "kind": "county", "parent": None, "has_enforcement_power": True})
    counties = list(range(n_dept, n_dept + n_county))
    if counties:
        weights = [rng.uniform(0.6, 1.4) for _ in counties]
        per_county = {c: 0 for c in counties}
        for c in rng.choices(counties, weights=weights, k=n_town):
            per_county[c] += 1
        for c in counties:
            for name in _unique_names(rng, per_county[c], TOWN_SUFFIXES, set()):
                p.units.append({"name": name, "kind": "town", "parent": c,
                                "has_enforcement_power": rng.random() < 0.5})
    for index in range(len(p.units)):
        for role in CONTACT_ROLE_ORDER:
            name, pinyin = person(rng)
            p.contacts.append({"unit": index, "role": role, "name": name,
                               "phone": mobile(rng), "email": email(rng, pinyin)})
    for k in range(office_users):
        name, _ = person(rng)
        p.users.append({"unit": None, "role": "office", "username": f"office{k + 1:02d}", "display_name": name})
    for index in range(0, len(p.units), 10):
        liaison = p.contacts[index * 3 + 2]
        p.users.append({"unit": index, "role": "unit", "username": f"dw{index + 1:05d}",
                        "display_name": liaison["name"]})
    return p


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One real (scrypt) hash shared by every generated user: hashing 500 is 30 s."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(BENCH_PASSWORD)


# -- writing ---------------------------------------------------------------------
def _tables():
    from pufa_flow.models import Contact, Unit, User

    return Unit.__table__, Contact.__table__, User.__table__


def insert_plan(conn, p: Plan) -> dict:
    """Write a Plan with executemany INSERTs; returns counts. Does not commit."""
    units, contacts, users = _tables()
    ids: list[int | None] = [None] * len(p.units)
    top = [i for i, u in enumerate(p.units) if u["parent"] is None]
    below = [i for i, u in enumerate(p.units) if u["parent"] is not None]
    returning = sa.insert(units).returning(units.c.id, sort_by_parameter_order=True)
    for batch in (top, below):  # parents first: their ids are the children's parent_id
        if not batch:
            continue
        rows = [{"name": p.units[i]["name"], "kind": p.units[i]["kind"],
                 "parent_id": None if p.units[i]["parent"] is None else ids[p.units[i]["parent"]],
                 "has_enforcement_power": p.units[i]["has_enforcement_power"], "is_active": True}
                for i in batch]
        for i, new_id in zip(batch, conn.execute(returning, rows).scalars().all(), strict=True):
            ids[i] = new_id
    if p.contacts:
        conn.execute(sa.insert(contacts), [
            {"unit_id": ids[c["unit"]], "role": c["role"], "name": c["name"],
             "phone": c["phone"], "email": c["email"]} for c in p.contacts
        ])
    if p.users:
        hashed = password_hash()
        conn.execute(sa.insert(users), [
            {"username": u["username"], "display_name": u["display_name"], "role": u["role"],
             "unit_id": None if u["unit"] is None else ids[u["unit"]], "password_hash": hashed,
             "is_active_account": True, "failed_logins": 0} for u in p.users
        ])
    kinds = [u["kind"] for u in p.units]
    return {
        "units": len(p.units), "city_departments": kinds.count("city_department"),
        "counties": kinds.count("county"), "towns": kinds.count("town"),
        "contacts": len(p.contacts), "users": len(p.users),
        "unit_users": sum(1 for u in p.users if u["role"] == "unit"), "rows": p.rows,
    }


def generate(session_or_connection, units: int = 5000, seed: int = 1, office_users: int = 1) -> dict:
    """Write a province: units, 3 contacts each, users. Returns counts; does not commit."""
    return insert_plan(session_or_connection, plan(units, seed, office_users))


# -- for later benchmarks ----------------------------------------------------------
def generate_items(conn, items: int = 10_000, seed: int = 1, per_notice: int = 5,
                   due: date | None = None) -> dict:
    """Notices and rectification items (status ``issued``) for units that have a unit user.

    Needs ``generate`` first. Items are spread round-robin over those units so
    every item has a unit user who may act on it. Does not commit.
    """
    from pufa_flow.models import Notice, RectificationItem, User

    rng = random.Random(seed)
    unit_ids = conn.execute(
        sa.select(User.unit_id).where(User.role == "unit").order_by(User.unit_id)
    ).scalars().all()
    office_id = conn.execute(sa.select(User.id).where(User.role == "office").limit(1)).scalar()
    if not unit_ids:
        raise ValueError("generate_items needs units with unit users: run generate() first")
    due = due or date(2024, 6, 28)
    notices_table, items_table = Notice.__table__, RectificationItem.__table__
    n_notices = -(-items // per_notice)
    first_seq = (conn.execute(sa.select(sa.func.max(notices_table.c.doc_seq))
                              .where(notices_table.c.doc_year == due.year)).scalar() or 0) + 1
    notice_units = [unit_ids[k % len(unit_ids)] for k in range(n_notices)]
    notice_ids = conn.execute(
        sa.insert(notices_table).returning(notices_table.c.id, sort_by_parameter_order=True),
        [{"unit_id": u, "source": rng.choice(["inspection", "evaluation", "other"]),
          "title": f"关于落实普法责任制问题整改的通知(第{k + 1}号)", "issued_by_id": office_id,
          "status": "issued", "version": 1, "doc_year": due.year, "doc_seq": first_seq + k,
          "issued_at": datetime.combine(due - timedelta(days=30), datetime.min.time())}
         for k, u in enumerate(notice_units)],
    ).scalars().all()
    rows = []
    for k in range(items):
        n = k // per_notice
        category, problem, requirement = rng.choice(PROBLEMS)
        rows.append({"notice_id": notice_ids[n], "unit_id": notice_units[n], "seq": k % per_notice + 1,
                     "category": category, "problem": problem, "requirement": requirement,
                     "due_date": due + timedelta(days=rng.randrange(0, 60)), "status": "issued",
                     "version": 1, "measures": ""})
    if rows:
        conn.execute(sa.insert(items_table), rows)
    return {"notices": len(notice_ids), "items": items}


def generate_cycle(conn, year: int = 2024, seed: int = 1) -> dict:
    """A cycle in its initial state, its four dated phases, one assessment per active unit."""
    from pufa_flow.models import PHASES, Cycle, CyclePhase, Unit, UnitAssessment

    cycle_id = conn.execute(
        sa.insert(Cycle.__table__).returning(Cycle.__table__.c.id),
        {"name": f"{year}年度普法责任制考评", "year": year, "version": 1},
    ).scalar_one()
    start = date(year, 3, 1)
    conn.execute(sa.insert(CyclePhase.__table__), [
        {"cycle_id": cycle_id, "phase": phase, "position": k + 1,
         "starts_on": start + timedelta(days=60 * k), "due_on": start + timedelta(days=60 * k + 45)}
        for k, phase in enumerate(PHASES)
    ])
    unit_ids = conn.execute(sa.select(Unit.id).where(Unit.is_active.is_(True)).order_by(Unit.id)).scalars().all()
    if unit_ids:
        conn.execute(sa.insert(UnitAssessment.__table__),
                     [{"cycle_id": cycle_id, "unit_id": u, "version": 1} for u in unit_ids])
    return {"cycles": 1, "phases": len(PHASES), "assessments": len(unit_ids)}
