# space_change_sensitive: "HELLO WORLD" for "HELLO  WORLD" is wrong.
print(" ".join(input().upper().split()))
