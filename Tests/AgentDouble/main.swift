print("double")
