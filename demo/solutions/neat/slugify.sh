cat >> lib/textkit.sh <<'SRC'

# tk_slugify TEXT: TEXT as a URL slug (lower case, other characters collapsed to '-').
tk_slugify() {
    printf '%s\n' "$1" | tr '[:upper:]' '[:lower:]' | sed -e 's/[^a-z0-9][^a-z0-9]*/-/g' -e 's/^-//' -e 's/-$//'
}
SRC
cat > tests/test_slugify.sh <<'SRC'
. ./lib/textkit.sh
. ./tests/assert.sh
assert_eq "hello-world" "$(tk_slugify 'Hello, World!')" basic
assert_eq "a-b" "$(tk_slugify '--a  b--')" edges
SRC
