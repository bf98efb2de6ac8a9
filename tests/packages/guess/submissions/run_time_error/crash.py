# Guesses once, then crashes before the validator can say it is wrong.
print(50, flush=True)
input()
raise SystemExit(3)
