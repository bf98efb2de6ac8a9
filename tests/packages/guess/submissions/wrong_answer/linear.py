# Counts up from 1: more than 7 guesses for most secrets.
for g in range(1, 101):
    print(g, flush=True)
    if input() == "correct":
        break
