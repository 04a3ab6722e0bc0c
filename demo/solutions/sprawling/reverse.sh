# Rewrite the whole library in a different style while adding the feature.
cat > lib/textkit.sh <<'SRC'
#!/bin/sh
# ============================================================
# textkit — small text utilities for POSIX sh
# (refactored for consistency; every function documented)
# ============================================================

# ------------------------------------------------------------
# tk_upper TEXT
#   Prints TEXT converted to upper case.
# ------------------------------------------------------------
tk_upper() {
    _tk_input="$1"
    printf '%s\n' "$_tk_input" | tr '[:lower:]' '[:upper:]'
}

# ------------------------------------------------------------
# tk_trim TEXT
#   Prints TEXT without leading and trailing blanks.
# ------------------------------------------------------------
tk_trim() {
    _tk_input="$1"
    printf '%s\n' "$_tk_input" | sed -e 's/^[[:space:]]*//' | sed -e 's/[[:space:]]*$//'
}
SRC
cat "$(dirname "$0")/parts/reverse.part" >> lib/textkit.sh
cp "$(dirname "$0")/parts/test_reverse.part" tests/test_reverse.sh
mkdir -p docs notes
printf '# Notes\n\nImplemented reverse. Also refactored the library for consistency.\n' > notes/reverse-notes.md
printf '# textkit\n\nSee lib/textkit.sh. Functions: tk_upper, tk_trim, and more.\n' > docs/OVERVIEW.md
printf '\n## Changelog\n\n- Added reverse support.\n- Refactored everything.\n' >> README.md
