#!/usr/bin/env bash
# `make demo`: a complete Agon tournament on a throw-away sample repository, no API keys needed.
# The agents and verifiers are agent-double, a test double that speaks the real CLIs' output
# formats (Claude Code, Codex, Gemini CLI, OpenCode) and makes real edits.
set -euo pipefail
here="${AGON_SOURCE:-$(cd "$(dirname "$0")/.." && pwd)}"
bin="$(cd "$here" && swift build --show-bin-path)"
agon="$bin/agon"
work="$(mktemp -d "${TMPDIR:-/tmp}/agon-demo.XXXXXX")"
repo="$work/textkit"
solutions="$here/demo/solutions"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "A sample project: $repo"
mkdir -p "$repo" "$work/bin"
cp -R "$here/demo/sample/." "$repo/"
# Holdout scripts live outside every worktree: agents never see them.
mkdir -p "$repo/.agon/holdout"
cp "$here/demo/holdout/"*.sh "$repo/.agon/holdout/"
for cli in claude codex gemini opencode; do ln -s "$bin/agent-double" "$work/bin/$cli"; done

cat > "$repo/agon.yml" <<YAML
# Four agents on four harnesses. Each is agent-double playing that CLI; DOUBLE_* settings say
# how it behaves: neat solves the spec, sprawl solves it with a sprawling diff, wrong breaks the
# tests, spendy burns through its budget and is cost-killed.
agents:
  neat:
    harness: claude
    model: claude-sonnet-4-5
    binary: $work/bin/claude
    env: { DOUBLE_SOLUTIONS: $solutions/neat, DOUBLE_TURNS: "3", DOUBLE_TOKENS_PER_TURN: "12000/1500", DOUBLE_DELAY_MS: "300" }
  sprawl:
    harness: codex
    model: gpt-5-codex
    binary: $work/bin/codex
    env: { DOUBLE_SOLUTIONS: $solutions/sprawling, DOUBLE_TURNS: "6", DOUBLE_TOKENS_PER_TURN: "20000/3000", DOUBLE_DELAY_MS: "200",
           DOUBLE_PRICE_IN: "1.25e-6", DOUBLE_PRICE_OUT: "1e-5" }
  wrong:
    harness: gemini
    model: gemini-2.5-flash
    binary: $work/bin/gemini
    env: { DOUBLE_SOLUTIONS: $solutions/wrong, DOUBLE_TURNS: "2", DOUBLE_TOKENS_PER_TURN: "8000/800", DOUBLE_DELAY_MS: "250" }
  spendy:
    harness: opencode
    model: anthropic/claude-opus-4-1
    binary: $work/bin/opencode
    env: { DOUBLE_SOLUTIONS: $solutions/neat, DOUBLE_MODE: overspend, DOUBLE_TOKENS_PER_TURN: "10000/1000", DOUBLE_DELAY_MS: "300",
           DOUBLE_PRICE_IN: "1.5e-5", DOUBLE_PRICE_OUT: "7.5e-5" }
# Three blinded verifiers from model families that do not compete here (a verifier never ranks
# its own family's candidates): one sound, one noisy, one that always prefers whatever it is
# shown first. Claude Code can drive DeepSeek through its Anthropic-compatible API, and Codex can
# drive Qwen through OpenRouter; here they are agent-double again.
verifiers:
  judge-sound:
    harness: claude
    model: deepseek-chat
    binary: $work/bin/claude
    env: { DOUBLE_REVIEW: sound, DOUBLE_TOKENS_PER_TURN: "9000/700", DOUBLE_PRICE_IN: "2.8e-7", DOUBLE_PRICE_OUT: "4.2e-7" }
  judge-noisy:
    harness: codex
    model: openrouter/qwen/qwen3-coder
    binary: $work/bin/codex
    env: { DOUBLE_REVIEW: noisy, DOUBLE_SEED: "7", DOUBLE_TOKENS_PER_TURN: "9000/700" }
  judge-first:
    harness: gemini
    model: gemini-2.5-flash
    binary: $work/bin/gemini
    env: { DOUBLE_REVIEW: first, DOUBLE_TOKENS_PER_TURN: "9000/700" }
defaults:
  parallel: 4
YAML

(
  cd "$repo"
  git init -q -b main
  git -c user.name=demo -c user.email=demo@example.com add -A
  git -c user.name=demo -c user.email=demo@example.com commit -qm "textkit: upper and trim"
  printf '/worktrees/\n/.agon/\n' >> .git/info/exclude
)
cd "$repo"

step "What will run (agon validate)"
run "$agon" validate specs/slugify.md

step "Prices and budgets (agon models)"
run "$agon" models

step "Three tournaments: three specs x four agents x three verifiers"
for spec in specs/slugify.md specs/wordcount.md specs/reverse.md; do
  run "$agon" run "$spec" || true   # exit 1 only says no candidate passed; the demo goes on
done

step "The same spec again: an exact repeat reuses finished candidates (\$0; --no-cache reruns them)"
run "$agon" run specs/reverse.md || true

step "What a human should read first (agon shortlist)"
run "$agon" shortlist latest

step "Every run so far (agon list)"
run "$agon" list

step "Which agent gives the best quality per dollar (agon leaderboard)"
run "$agon" leaderboard --bootstrap 200

step "The HTML report"
report="$("$agon" report --leaderboard latest)"
echo "report: $report"

step "Apply the winner of the last run and commit it"
winner="$("$agon" show latest --json | python3 -c 'import json,sys; r=json.load(sys.stdin); c=r.get("consensus") or {}; print((c.get("ranking") or [""])[0])' 2>/dev/null || true)"
if [ -n "$winner" ]; then
  run "$agon" apply latest "$winner" --commit
  run git log --oneline -n 2
fi

step "Worktrees Agon made, then clean them (records stay)"
run git worktree list
run "$agon" clean --all
run git worktree list

printf '\nDemo repository: %s\nArtifacts: %s/.agon/runs/\nReport: %s\n' "$repo" "$repo" "$report"
