print("bench-store: not written yet")
