cat >> lib/textkit.sh <<'SRC'

tk_reverse_words() {
    printf '%s\n' "$1" | rev
}
SRC
cat > tests/test_reverse.sh <<'SRC'
. ./lib/textkit.sh
. ./tests/assert.sh
assert_eq "cd ab" "$(tk_reverse_words 'ab cd')" basic
SRC
