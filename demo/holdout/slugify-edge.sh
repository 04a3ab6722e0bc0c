# Holdout: never shown to agents. Runs in a fresh worktree of base + the candidate's patch.
. ./lib/textkit.sh
fail() { echo "holdout failed: $1" >&2; exit 1; }
[ "$(tk_slugify '  --Already--Slugged--  ')" = "already-slugged" ] || fail trim-dashes
[ "$(tk_slugify 'ABC 123 xyz')" = "abc-123-xyz" ] || fail digits
[ "$(tk_slugify '!!!')" = "" ] || fail only-punctuation
