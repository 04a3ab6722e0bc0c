print("agon: under construction")
