/*
 * libFuzzer: the user CSV of POST /admin/users/import and
 * `pitwall-admin user import`, and the team CSV of POST
 * /admin/teams/import and `pitwall-admin team import` (lib/team.h; the
 * same splitter: RFC 4180 quoting within a line, trimming, the header
 * and blank lines), split into lines as the callers do.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "team.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct account_row row;
	struct team_row trow;
	const char *why;
	char *buf, *line, *next, *copy;
	int i;
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
		if ((copy = strdup(line)) == NULL)
			break;
		/* A team row: a name, 0..3 emails (the limit given), each
		 * inside the line's copy. */
		if (team_csv_row(copy, lineno, 3, &trow, &why) == 0) {
			if (trow.name == NULL || *trow.name == '\0' ||
			    trow.n < 0 || trow.n > 3)
				abort();
			for (i = 0; i < trow.n; i++)
				if (trow.emails[i] < copy ||
				    trow.emails[i] > copy + n)
					abort();
		}
		free(copy);
		if (account_csv_row(line, lineno, &row, &why) == 0 &&
		    (row.email == NULL || row.name == NULL || row.password == NULL))
			abort();	/* a user row has its three fields */
	}
	free(buf);
	return 0;
}
