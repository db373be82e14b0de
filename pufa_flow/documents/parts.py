"""The head and foot every 公文 here shares: 版头, 发文字号 and red line, title, 主送; 署名, 成文日期, 版记."""
from __future__ import annotations

from .builder import Gongwen
from .model import Issuer


def head(g: Gongwen, issuer: Issuer, title: str, addressee: str) -> None:
    g.organ_mark(issuer.mark or issuer.organ)
    g.doc_number(issuer.number)
    g.title(title)
    if addressee:
        g.addressee(addressee)
    else:
        g.blank()


def sign(g: Gongwen, issuer: Issuer) -> None:
    g.signature(issuer.organ, issuer.date)


def imprint(g: Gongwen, issuer: Issuer) -> None:
    g.imprint(issuer.copy_to, issuer.printer or issuer.organ, issuer.print_date or issuer.date)
