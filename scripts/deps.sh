#!/usr/bin/env bash
# Installs the Debian packages reportsearch's readers and tests use, if they
# are missing: poppler-utils + poppler-data (pdftotext, with the CMaps that
# Chinese government PDFs need: without poppler-data GBK-EUC-H fonts come out
# empty or garbled), chromium + fonts-noto-cjk (the browser tests and the PDF
# fixtures rendered from the corpus, with Chinese fonts).
#
#   scripts/deps.sh            # all of them
#   scripts/deps.sh pdf        # only what PDF reading needs
#
# Idempotent; quiet when everything is there. Needs root (or sudo) to install.
set -euo pipefail
want=()
case "${1:-all}" in
  pdf) want=(poppler-utils poppler-data) ;;
  browser) want=(chromium fonts-noto-cjk) ;;
  all) want=(poppler-utils poppler-data chromium fonts-noto-cjk) ;;
  *) echo "deps: unknown set ${1} (want pdf, browser or all)" >&2; exit 2 ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
