# The sprawling agent rewrites the whole library in its own style before adding anything.
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
