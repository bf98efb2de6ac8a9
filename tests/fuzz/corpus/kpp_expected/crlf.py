# @EXPECTED_RESULTS@: correct,timelimit
print(1)
