/* SPDX-License-Identifier: GPL-2.0 */
/* Sizes on the command lines of the guest helpers: bytes with K/M/G. */
#ifndef GUEST_SIZE_H
#define GUEST_SIZE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Parse SIZE; on a bad one, say so as PROG and exit 2. */
static inline unsigned long long parse_size(const char *prog, const char *s)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	}
	if (shift)
		end++;
	if (errno || end == s || *end || *s == '-' || v > (~0ULL >> shift)) {
		fprintf(stderr, "%s: bad size '%s'\n", prog, s);
		exit(2);
	}
	return v << shift;
}

#endif
