// AgonReview: blinded review of candidate patches.
//
// Flow for one run (all pure except `OpenAIChatClient`):
//
//   1. `Blinder.key(runID:verifierID:candidates:)` gives each verifier its own reproducible order
//      and labels (seed = FNV-1a of run id + NUL + verifier id; SplitMix64 Fisher–Yates).
//   2. `ReviewPacketBuilder.build(spec:candidates:key:secrets:options:)` renders the packet:
//      the spec (no holdout), each candidate's *redacted review copy* of its diff under its label,
//      stats and optionally check results, the answer format; then `LeakScanner` scans the system
//      prompt and every section for every candidate's identity tokens and the run's secrets
//      (run id, branches, worktree paths, timestamps, holdout text) and throws `LeakError` on a hit.
//   3. The verifier answers (`OpenAIChatClient.review`, or a CLI harness run by the pipeline);
//      `VerdictRound.evaluate` parses and validates it, asks for one retry quoting the error, then
//      excludes the verifier. Valid verdicts become `MappedVerdict`s (candidate ids, best first).
//   4. `applySelfPreference` drops a verifier's placements of its own model family when the
//      policy is `.exclude`.
//
// Decisions worth knowing:
// - Redaction only ever touches the review copy. It also rewrites file paths in diff headers
//   (`claude_notes.md` → `[redacted]_notes.md`): the alternative, leaving the name, would unblind
//   the review. Such candidates get a line in the packet saying paths were renamed in the review
//   copy only, and `RedactionNote.inPathHeader` records it.
// - Identity tokens that occur in the spec itself ("Add a Gemini backend") name the task's subject,
//   not an author: they are neither redacted nor treated as leaks (`ReviewPacket.exemptTokens`).
//   Run details and holdout text get no such exemption.
// - Tokens shorter than 3 characters match only as whole words (`pi` is safe in `pipeline`);
//   longer ones also match across camelCase humps, `_`, `-` and digits (`ClaudeClient`, `gpt4`).
//   Words in `IdentityTokens.generic` ("command", "agent", …) are never tokens.
// - Verdict format (`VerdictSchema`): {"ranking": [labels, best first, all of them],
//   "candidates": {label: {"summary", "risks", "recommendation": apply|revise|reject}}}; labels as
//   "B" or "Candidate B". Notes are optional per label, but a present note needs a valid
//   recommendation. Prose and code fences around the JSON are tolerated; smart quotes are not.
