/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the test runner's boot row expects, for the secretmem selftests: the
 * row puts smt_expect_WORD=N words on the kernel command line, and where it
 * expects a feature, its absence is a failure, not a skip.
 */
#ifndef __SECRETMEM_ROW_H
#define __SECRETMEM_ROW_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* smt_expect_@word=N from /proc/cmdline, or -1 if the row says nothing. */
static inline long row_expects(const char *word)
{
	char line[4096], key[64], *p;
	FILE *f = fopen("/proc/cmdline", "r");
	long v = -1;

	if (!f)
		return -1;
	snprintf(key, sizeof(key), "smt_expect_%s=", word);
	if (fgets(line, sizeof(line), f)) {
		p = strstr(line, key);
		if (p && (p == line || p[-1] == ' '))
			v = strtol(p + strlen(key), NULL, 0);
	}
	fclose(f);
	return v;
}

#endif /* __SECRETMEM_ROW_H */
