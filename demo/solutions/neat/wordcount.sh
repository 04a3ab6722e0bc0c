cat >> lib/textkit.sh <<'SRC'

# tk_wordcount TEXT: the number of blank-separated words in TEXT.
tk_wordcount() {
    printf '%s\n' "$1" | awk '{ n += NF } END { print n + 0 }'
}
SRC
cat > tests/test_wordcount.sh <<'SRC'
. ./lib/textkit.sh
. ./tests/assert.sh
assert_eq "3" "$(tk_wordcount 'a b c')" three
assert_eq "0" "$(tk_wordcount '')" empty
SRC
