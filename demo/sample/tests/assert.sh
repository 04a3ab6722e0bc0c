# assert_eq EXPECTED ACTUAL NAME
assert_eq() {
    if [ "$1" != "$2" ]; then
        printf 'assertion failed: %s: expected [%s], got [%s]\n' "$3" "$1" "$2" >&2
        exit 1
    fi
}
