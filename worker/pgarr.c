/*
 * PostgreSQL array literals ("{…}") built in memory with open_memstream,
 * for statements that take a whole batch as array parameters (store_fast.c,
 * publish.c).  Elements are quoted and escaped, or NULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

int
pgarr_open(struct pgarr *a)
{
	memset(a, 0, sizeof(*a));
	if ((a->f = open_memstream(&a->buf, &a->len)) == NULL)
		return -1;
	fputc('{', a->f);
	return 0;
}


/*
 * Open a[0..n) together: 0, or -1 with every one of them freed (and all
 * zeroed first, so a failure halfway never frees an uninitialised one).
 */
int
pgarr_open_all(struct pgarr *a, size_t n)
{
	size_t i;

	memset(a, 0, n * sizeof(*a));
	for (i = 0; i < n; i++)
		if (pgarr_open(&a[i]) == -1) {
			pgarr_free_all(a, n);
			return -1;
		}
	return 0;
}

void
pgarr_free_all(struct pgarr *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pgarr_free(&a[i]);
}

/* Close the literal: 0 with a->buf owned by the caller (free()), or -1. */
int
pgarr_close(struct pgarr *a)
{
	int rc;

	if (a->f == NULL)
		return -1;
	fputc('}', a->f);
	rc = fclose(a->f);
	a->f = NULL;
	return rc == 0 ? 0 : -1;
}

void
pgarr_free(struct pgarr *a)
{
	if (a->f != NULL)
		fclose(a->f);
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

void
pgarr_text(struct pgarr *a, const char *s)
{
	if (a->n++ > 0)
		fputc(',', a->f);
	if (s == NULL) {
		fputs("NULL", a->f);
		return;
	}
	fputc('"', a->f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', a->f);
		fputc(*s, a->f);
	}
	fputc('"', a->f);
}

void
pgarr_int(struct pgarr *a, long long v, int null)
{
	if (a->n++ > 0)
		fputc(',', a->f);
	if (null)
		fputs("NULL", a->f);
	else
		fprintf(a->f, "%lld", v);
}
