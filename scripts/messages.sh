#!/usr/bin/env bash
# Refreshes the UI translations: extracts every msgid (French) from concert/**.py and
# templates/**.html, merges them into each catalogue under concert/translations/, then
# compiles the catalogues (the .mo files are committed: `pip install .` needs no build step).
#
#   bash scripts/messages.sh
#
# Run it from anywhere in the checkout, with the venv in .venv (or PYBABEL=/path/to/pybabel).
# New msgids arrive with an empty msgstr: translate them in
# concert/translations/en/LC_MESSAGES/messages.po, run the script again, and commit the .po
# with its .mo. tests/test_i18n.py fails while a msgid is untranslated or a .mo is stale.
set -euo pipefail

cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
TRANSLATIONS=concert/translations
POT="$(mktemp --suffix=.pot)"
trap 'rm -f "$POT"' EXIT

# The keywords are Flask-Babel's lazy functions; the default ones cover _() and gettext().
"$PYBABEL" --quiet extract -F babel.cfg -o "$POT" -c TRANSLATORS: \
    -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
    --project=concert --copyright-holder="concert contributors" .
# Exact matches only: a changed French sentence must be translated again, not guessed.
"$PYBABEL" --quiet update -i "$POT" -d "$TRANSLATIONS" --no-fuzzy-matching --ignore-obsolete
"$PYBABEL" compile -d "$TRANSLATIONS" --statistics
