print("bench-agents: not written yet")
