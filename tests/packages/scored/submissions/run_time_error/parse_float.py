a, b = map(int, input().split(".")) # no dot in the input: ValueError
print(a + b)
