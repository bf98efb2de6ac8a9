# Off by 0.25: within the root's tolerance (sample, secret/loose), not
# secret/tight's (inherited by secret/tight/deep).
print(float(input()) + 0.25)
