#include <stdio.h>
int main(void) {
	static unsigned char b[1 << 20];
	size_t n = fread(b, 1, sizeof(b), stdin);
	while (n > 0)
		putchar(b[--n]);
	return 0;
}
