. ./lib/textkit.sh
fail() { echo "holdout failed: $1" >&2; exit 1; }
[ "$(tk_wordcount '')" = "0" ] || fail empty
[ "$(tk_wordcount '   ')" = "0" ] || fail blank
[ "$(tk_wordcount ' one  two	three ')" = "3" ] || fail tabs
