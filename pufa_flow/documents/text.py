"""Text as the 公文 standard writes it, and user text made safe for OOXML.

python-docx refuses strings with XML-illegal characters (most C0 controls,
U+FFFE/U+FFFF, lone surrogates) with a ValueError, which would turn one bad
keystroke in a problem text into a failed download. ``clean`` turns the
vertical tab and form feed Word puts in copied text into line breaks, and
every other such character into a visible "[U+0007]" (ASCII, so it prints in
any font), so the document still opens and nothing vanishes without trace.
"""
from __future__ import annotations

import re
from datetime import date

_DIGITS = "零一二三四五六七八九"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def _stand_in(match: re.Match) -> str:
    code = ord(match.group())
    if code in (0x0B, 0x0C):   # Word's manual line break and page break, pasted
        return "\n"
    return f"[U+{code:04X}]"


def clean(text) -> str:
    """Any value as text Word can hold: None is empty, illegal characters get a visible stand-in."""
    if text is None:
        return ""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub(_stand_in, text)


def lines(text) -> list[str]:
    """User text split into paragraphs; blank lines separate paragraphs and are not content."""
    return [line.strip() for line in clean(text).split("\n") if line.strip()]


def cn_number(n: int) -> str:
    """一, 二 … 十, 十一 … 九十九, 一百…: the numerals of "一、" and "（一）" headings."""
    if n < 0:
        return "负" + cn_number(-n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + cn_number(rest) if rest < 10 else
                                     ("一" + cn_number(rest) if rest < 20 else cn_number(rest)))
        return _DIGITS[n // 100] + "百" + tail
    return str(n)


def date_cn(d: date | None) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic figures, no leading zeros (2023年10月20日)."""
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


def width(text: str) -> float:
    """Width in Chinese characters: ASCII (digits, Latin) counts half."""
    return sum(0.5 if ord(ch) < 0x80 else 1.0 for ch in text)


def fits_gb2312(text: str) -> bool:
    """True when a GB2312 font (仿宋_GB2312…) has every glyph.

    Python's gb2312 codec maps a few GB2312 code points to other Unicode
    characters than GBK does (A1AA is U+2015 there, U+2014 "—" in GBK); a
    character counts when its GBK code lies in the GB2312 block (both bytes
    0xA1–0xFE).
    """
    try:
        text.encode("gb2312")
        return True
    except UnicodeEncodeError:
        pass
    for ch in text:
        if ord(ch) < 0x80:
            continue
        try:
            code = ch.encode("gbk")
        except UnicodeEncodeError:
            return False
        if len(code) != 2 or not (0xA1 <= code[0] <= 0xFE and 0xA1 <= code[1] <= 0xFE):
            return False
    return True


_SPLIT_GB = re.compile(r"(\s+)")


def font_segments(text: str) -> list[tuple[str, bool]]:
    """(segment, in_gb2312) runs: characters a GB2312 font lacks (生僻字 such as 𠮷) get a fallback font."""
    if fits_gb2312(text):
        return [(text, True)]
    out: list[tuple[str, bool]] = []
    for ch in text:
        ok = fits_gb2312(ch)
        if out and out[-1][1] == ok:
            out[-1] = (out[-1][0] + ch, ok)
        else:
            out.append((ch, ok))
    return out


#: a break right after one of these reads well in a title (… 的 / 关于 … 的 / “…” / 、)
_GOOD_BREAK_AFTER = set("的于和与及、”）》")
_NO_BREAK_BEFORE = set("，。、：；！？”）》〕号")
#: never inside a quotation, a book title or brackets
_OPENING, _CLOSING = set("“《（〔"), set("”》）〕")


def balance_title(title: str, per_line: float) -> str:
    """A title wider than a line, broken into lines of near-equal width (GB/T 9704-2012 7.3.2: 排列对称，长短适宜).

    Breaks already in the text are kept. Each break goes near the even
    split, preferring a position after 的/于/和/、 or a closing quote, never
    before closing punctuation nor inside a run of digits.
    """
    title = clean(title).strip()
    if "\n" in title or width(title) <= per_line:
        return title
    n = -(-int(width(title) * 2) // int(per_line * 2))
    target = width(title) / n
    out, rest = [], title
    for remaining in range(n, 1, -1):
        target = width(rest) / remaining
        best, best_cost, acc, depth = None, None, 0.0, 0
        for i, ch in enumerate(rest[:-1]):
            acc += width(ch)
            depth += (ch in _OPENING) - (ch in _CLOSING)
            nxt = rest[i + 1]
            if acc > per_line:
                break
            if depth > 0 or nxt in _NO_BREAK_BEFORE or (ch.isdigit() and nxt.isdigit()):
                continue
            cost = abs(acc - target) - (1.5 if ch in _GOOD_BREAK_AFTER else 0)
            if best_cost is None or cost < best_cost:
                best, best_cost = i + 1, cost
        if best is None:
            break
        out.append(rest[:best])
        rest = rest[best:]
    out.append(rest)
    return "\n".join(out)
