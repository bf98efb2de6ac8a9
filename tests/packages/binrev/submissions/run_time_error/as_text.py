# Reads the bytes as UTF-8 text: UnicodeDecodeError.
import sys
sys.stdout.write(sys.stdin.buffer.read().decode('utf-8')[::-1])
