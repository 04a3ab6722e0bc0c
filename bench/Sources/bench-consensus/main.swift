print("bench-consensus: not written yet")
