#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when missing and possible,
# together with a CJK font (fonts-noto-cjk) so Chinese pages render as glyphs,
# not boxes, in the screenshots. When they cannot be installed, the browser
# tests skip (no chromium) or the screenshots show boxes (no font).
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ]; }; then
  missing+=(fonts-noto-cjk)
fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's ${missing[*]} for the browser tests…"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || echo "warning: could not install ${missing[*]}; browser tests may be skipped or show boxes for Chinese text"
else
  echo "warning: ${missing[*]} missing and not root; browser tests may be skipped or show boxes for Chinese text"
fi
exit 0
