# case_sensitive: the lower-case letters are wrong.
import sys
sys.stdout.write(sys.stdin.read())
