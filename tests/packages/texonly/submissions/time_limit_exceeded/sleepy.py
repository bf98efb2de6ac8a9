# Busy for ever after reading: TLE even at the safety margin.
n = int(input())
while n >= 0:
    n += 1
