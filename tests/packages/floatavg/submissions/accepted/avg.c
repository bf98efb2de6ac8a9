#include <stdio.h>
int main(void)
{
	int n, i;
	double x, s = 0;

	if (scanf("%d", &n) != 1)
		return 1;
	for (i = 0; i < n && scanf("%lf", &x) == 1; i++)
		s += x;
	printf("%.9f\n", s / n);
	return 0;
}
