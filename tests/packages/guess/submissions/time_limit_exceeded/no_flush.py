# Never flushes its guess: both sides wait until the time limit.
import sys
import time
sys.stdout.write("50\n")
time.sleep(60)
