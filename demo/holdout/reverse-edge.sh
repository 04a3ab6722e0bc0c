. ./lib/textkit.sh
fail() { echo "holdout failed: $1" >&2; exit 1; }
[ "$(tk_reverse_words 'one')" = "one" ] || fail single
[ "$(tk_reverse_words '  x   y ')" = "y x" ] || fail spaces
