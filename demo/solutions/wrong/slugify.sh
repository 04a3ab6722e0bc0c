cat >> lib/textkit.sh <<'SRC'

tk_slugify() {
    printf '%s\n' "$1" | tr '[:upper:]' '[:lower:]' | sed -e 's/[^a-z0-9]/-/g'
}
SRC
cat > tests/test_slugify.sh <<'SRC'
. ./lib/textkit.sh
. ./tests/assert.sh
assert_eq "hello-world" "$(tk_slugify 'Hello, World!')" basic
SRC
