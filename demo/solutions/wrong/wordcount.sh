cat >> lib/textkit.sh <<'SRC'

tk_wordcount() {
    printf "%s" "$1" | tr -cd " " | wc -c | tr -d " "
}
SRC
cat > tests/test_wordcount.sh <<'SRC'
. ./lib/textkit.sh
. ./tests/assert.sh
assert_eq "3" "$(tk_wordcount 'a b c')" three
SRC
