/*
 * The default output validator of the ICPC/Kattis problem package format
 * (docs/packages.md): a token-by-token comparison of a team's output with
 * the answer file, steered by the problem's validator_flags.  Pure: no I/O,
 * no allocation for tokens shorter than OUTVAL_NUMBUF, linear in the input.
 */
#ifndef PITWALL_OUTVAL_H
#define PITWALL_OUTVAL_H

#include <stddef.h>

/* What validator_flags asked for.  Zeroed means the spec's defaults. */
struct outval_flags {
	int	 case_sensitive;
	int	 space_change_sensitive;
	int	 has_float;	/* a tolerance was given: float tokens compare numerically */
	double	 abs_tol;	/* float_absolute_tolerance (0 when not given) */
	double	 rel_tol;	/* float_relative_tolerance (0 when not given) */
};

enum outval_result {
	OUTVAL_AC,
	OUTVAL_WA,
	OUTVAL__MAX
};

/* Tokens up to this length are parsed as numbers on the stack. */
#define OUTVAL_NUMBUF	128
/* Tokens quoted in judge messages are cut to this many bytes. */
#define OUTVAL_QUOTE	40

/*
 * Parse a validator_flags string ("float_tolerance 1e-6 case_sensitive";
 * NULL or empty: defaults) into *f.  Tolerances must be finite and >= 0.
 * Returns 0, or -1 with a sentence in err naming the bad flag.
 */
int		 outval_flags_parse(const char *s, struct outval_flags *f,
		    char *err, size_t errsz);

/*
 * Compare team output out[0..outlen) with answer ans[0..anslen) under *f.
 * Either buffer may be NULL when its length is 0; neither needs a NUL.
 * Returns OUTVAL_AC or OUTVAL_WA; on WA, msg (if msgsz > 0) gets a short
 * judge message naming the first difference: token number and team output
 * line, expected and got (cut to OUTVAL_QUOTE bytes, non-printing bytes
 * escaped).  On AC msg is "".
 */
enum outval_result outval_check(const char *ans, size_t anslen,
		    const char *out, size_t outlen, const struct outval_flags *f,
		    char *msg, size_t msgsz);

/* "AC" / "WA" (static; "?" out of range). */
const char	*outval_result_name(enum outval_result r);

#endif
