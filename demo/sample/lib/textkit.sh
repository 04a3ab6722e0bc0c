# textkit: small text utilities for POSIX sh. Source this file.

# tk_upper TEXT: TEXT in upper case.
tk_upper() {
    printf '%s\n' "$1" | tr '[:lower:]' '[:upper:]'
}

# tk_trim TEXT: TEXT without leading and trailing blanks.
tk_trim() {
    printf '%s\n' "$1" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//'
}
