/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the test runner's boot row expects, for the secretmem selftests: the
 * row puts smt_expect_WORD=N words on the kernel command line, and where it
 * expects a feature, its absence is a failure, not a skip. And the pool's
 * state that a test starting after others may have to wait for.
 */
#ifndef __SECRETMEM_ROW_H
#define __SECRETMEM_ROW_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The kB of @key in /proc/meminfo, -1 if it is not there. */
static inline long smt_meminfo_kb(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/*
 * Wait up to 5 s for every page of the pool to be free and promised to
 * nobody: pages earlier tests gave back may still be on their way (another
 * CPU's batch). False if it never is.
 */
static inline bool smt_wait_pool_idle(void)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (smt_meminfo_kb("SecretmemFree") ==
		    smt_meminfo_kb("SecretmemTotal") &&
		    smt_meminfo_kb("SecretmemRsvd") == 0)
			return true;
		usleep(10000);
	}
	return false;
}

#endif /* __SECRETMEM_ROW_H */
