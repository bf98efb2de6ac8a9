/*
 * The sub-route tables of the /admin groups (/admin/rounds, /admin/questions,
 * /admin/testcases, /admin/users, /admin/clarifications) and of
 * /clarifications: like the main route table, a path pattern and methods
 * per handler, matched after the caller's check (admin, or any user).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "extern.h"

/*
 * 1 when rest (the path after the group's prefix) matches pattern: ""
 * for the group itself ("" or "/"), else "/"-separated segments where
 * "*" takes a slug into a->slug and "#" a positive id into a->id.
 */
static int
pattern_match(const char *pattern, const char *rest, struct admin_args *a)
{
	char seg[sizeof(a->slug)], lit[32];
	const char *p = pattern, *e;
	size_t n;

	if (*pattern == '\0')
		return *rest == '\0' || strcmp(rest, "/") == 0;
	while (*p == '/') {
		p++;
		e = strchr(p, '/');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 1 && *p == '*') {
			if (path_segment(&rest, a->slug, sizeof(a->slug)) == -1)
				return 0;
		} else if (n == 1 && *p == '#') {
			if (path_id(&rest, &a->id) == -1)
				return 0;
		} else {
			if (n >= sizeof(lit))
				return 0;
			memcpy(lit, p, n);
			lit[n] = '\0';
			if (path_segment(&rest, seg, sizeof(seg)) == -1 ||
			    strcmp(seg, lit) != 0)
				return 0;
		}
		p += n;
	}
	return *rest == '\0';
}

/* "GET, PATCH or PUT": the methods of mask, for a 405's message. */
static void
methods_text(unsigned mask, char *out, size_t outsz)
{
	static const struct { unsigned m; const char *n; } tab[] = {
		{ METHOD_GET, "GET" }, { METHOD_POST, "POST" },
		{ METHOD_PATCH, "PATCH" }, { METHOD_PUT, "PUT" },
		{ METHOD_DELETE, "DELETE" },
	};
	size_t i, k, total = 0, len = 0;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		total += (mask & tab[i].m) != 0;
	out[0] = '\0';
	for (i = 0, k = 0; i < sizeof(tab) / sizeof(tab[0]) && len < outsz; i++) {
		if (!(mask & tab[i].m))
			continue;
		len += (size_t)snprintf(out + len, outsz - len, "%s%s",
		    k == 0 ? "" : k + 1 == total ? " or " : ", ", tab[i].n);
		k++;
	}
}

void
admin_route_run(struct req *r, const struct auth_claims *who,
    const char *prefix, const struct admin_route *t, size_t n)
{
	struct admin_args a;
	const char *rest = r->path + strlen(prefix);
	unsigned allowed = 0;
	char msg[64];
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		a.who = who;
		if (!pattern_match(t[i].pattern, rest, &a))
			continue;
		if (t[i].methods & r->method) {
			t[i].handler(r, &a);
			return;
		}
		allowed |= t[i].methods;
	}
	if (allowed == 0) {
		http_error(r, 404, "not_found", "no route for %s", r->path);
		return;
	}
	methods_text(allowed, msg, sizeof(msg));
	http_error(r, 405, "method_not_allowed", "%s", msg);
}

void
admin_route_dispatch(struct req *r, const char *prefix,
    const struct admin_route *t, size_t n)
{
	struct auth_claims who;

	if (req_admin_or_reply(r, &who) == -1)
		return;
	admin_route_run(r, &who, prefix, t, n);
}
