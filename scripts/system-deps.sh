#!/usr/bin/env bash
# System packages the portal needs beyond PyPI, all from Debian:
#   libpango (WeasyPrint renders PDFs with it), fonts-noto-cjk (Chinese glyphs in PDFs),
#   poppler-utils (pdftotext, used by tests), redis-server (the test suite's real Celery worker),
#   chromium (browser tests, never a downloaded browser).
# Installs what is missing when run as root with apt-get; otherwise says what to install.
set -euo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -q 'Noto Serif CJK' || missing+=(fonts-noto-cjk fontconfig)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null || missing+=(npm)  # installs axe-core (tests/package.json) for tests/test_a11y.py
if [ "${WITH_POSTGRES:-0}" = 1 ]; then
  command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Please install these Debian packages: ${missing[*]}" >&2
  exit 1
fi
