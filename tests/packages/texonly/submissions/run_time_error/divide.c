#include <stdio.h>
int main(void)
{
	int n, zero = 0;

	if (scanf("%d", &n) != 1)
		return 1;
	printf("%d\n", n / zero);	/* SIGFPE */
	return 0;
}
