#!/usr/bin/env bash
# Test tools from npm, pinned in package.json / package-lock.json, installed into node_modules/:
#   axe-core  accessibility rules, injected into Chromium pages (tests/end_to_end/test_accessibility.py)
#   vnu-jar   the Nu Html Checker, run with `java -jar` (tests/end_to_end/test_html_valid.py)
# Installs Debian's npm and default-jre-headless first when they are missing, then runs `npm ci` when
# node_modules is missing or was installed from another package-lock.json.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
if ! command -v java >/dev/null 2>&1; then
  missing+=(default-jre-headless)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-npm-tools: missing ${missing[*]} and this system has no apt-get; install npm and a Java" \
         "runtime (java 11 or later) yourself" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  echo "ensure-npm-tools: installing ${missing[*]} from Debian" >&2
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

# A copy of the lock file that node_modules was installed from; a different lock means a stale install.
stamp=node_modules/.installed-from-package-lock.json
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp" \
   && [ -f node_modules/axe-core/axe.min.js ] && [ -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
  exit 0
fi
echo "ensure-npm-tools: npm ci (axe-core, vnu-jar)" >&2
# --ignore-scripts: vnu-jar's postinstall would try to download a Java runtime; Debian's is used instead.
npm ci --ignore-scripts --no-audit --no-fund
cp package-lock.json "$stamp"
