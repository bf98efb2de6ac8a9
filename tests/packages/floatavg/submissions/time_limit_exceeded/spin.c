/* Reads the input, then never answers. */
#include <stdio.h>
int main(void)
{
	volatile unsigned long i = 0;
	int n;

	if (scanf("%d", &n) != 1)
		return 1;
	for (;;)
		i++;
}
