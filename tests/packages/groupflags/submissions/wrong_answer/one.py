print(float(input()) + 1)
