#!/bin/sh
# Runs every tests/test_*.sh; exits non-zero when any assertion fails.
cd "$(dirname "$0")/.." || exit 2
failed=0
for t in tests/test_*.sh; do
    if sh "$t"; then echo "ok   $t"; else echo "FAIL $t"; failed=1; fi
done
exit $failed
