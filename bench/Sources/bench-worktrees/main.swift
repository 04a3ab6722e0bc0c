print("bench-worktrees: not written yet")
