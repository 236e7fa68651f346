#!/usr/bin/env bash
# System tools the tests need, installed from Debian only when missing:
#   chromium (/usr/bin/chromium)  browser tests, driven by Playwright
#   nodejs   (node)               the dose calculator's JavaScript parity tests
#   openssh-client (ssh-keygen, ssh-agent, ssh-add)  signed approvals: signing and the SSHSIG parity tests
#   poppler-utils (pdftotext)     reads back Chromium's PDF of printed pages (tests/end_to_end/test_print_pdf.py)
set -euo pipefail

missing=()
if [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs)
fi
if ! command -v ssh-keygen >/dev/null 2>&1 || ! command -v ssh-agent >/dev/null 2>&1; then
  missing+=(openssh-client)
fi
if ! command -v pdftotext >/dev/null 2>&1; then
  missing+=(poppler-utils)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-tools: missing ${missing[*]} and this system has no apt-get; install them" \
       "(Chromium at /usr/bin/chromium, Node.js as node, OpenSSH's ssh-keygen and ssh-agent, poppler-utils' pdftotext)" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

echo "ensure-test-tools: installing ${missing[*]} from Debian" >&2
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
