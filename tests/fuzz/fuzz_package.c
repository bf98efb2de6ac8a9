/*
 * libFuzzer: problem packages (admin/package.c) — contest.json,
 * question.json and NN.points.  The first byte picks the parser, the rest
 * is the file.  Parsed structures are freed whatever the outcome.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../admin/extern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkg_contest c;
	struct pkg_question q;
	char err[256];
	const char *s;
	int pts;

	if (size < 1)
		return 0;
	s = (const char *)data + 1;
	size--;
	switch (data[0] % 3) {
	case 0:
		memset(&c, 0, sizeof(c));
		(void)package_parse_contest(s, size, &c, err, sizeof(err));
		package_contest_free(&c);
		break;
	case 1:
		memset(&q, 0, sizeof(q));
		(void)package_parse_question(s, size, &q, err, sizeof(err));
		package_question_free(&q);
		break;
	default:
		(void)package_parse_points(s, size, &pts, err, sizeof(err));
		break;
	}
	return 0;
}
