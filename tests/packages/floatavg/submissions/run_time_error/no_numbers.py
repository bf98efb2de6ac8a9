n = int(input())
values = list(map(float, input().split()))
print(values[n])  # one past the end: IndexError
