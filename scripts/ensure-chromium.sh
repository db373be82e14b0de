#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when missing and possible.
# When it cannot be installed, the browser tests skip and say why.
set -u
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || echo "warning: could not install chromium; browser tests will be skipped"
else
  echo "warning: /usr/bin/chromium missing and not root; browser tests will be skipped"
fi
exit 0
