/*
 * libFuzzer: the user CSV of POST /admin/users/import and
 * `pitwall-admin user import` (RFC 4180 quoting within a line, trimming,
 * the header and blank lines), split into lines as both callers do.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct account_row row;
	const char *why;
	char *buf, *line, *next;
	long lineno = 0;
	size_t n;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = buf; line != NULL && (size_t)(line - buf) <= size; line = next) {
		lineno++;
		next = memchr(line, '\n', size - (size_t)(line - buf));
		n = next != NULL ? (size_t)(next - line) : size - (size_t)(line - buf);
		if (next != NULL)
			*next++ = '\0';
		while (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (strlen(line) != n)
			continue;	/* NUL byte: refused before parsing */
		if (account_csv_row(line, lineno, &row, &why) == 0 &&
		    (row.email == NULL || row.name == NULL || row.password == NULL))
			abort();	/* a user row has its three fields */
	}
	free(buf);
	return 0;
}
