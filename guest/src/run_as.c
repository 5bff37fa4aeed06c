// SPDX-License-Identifier: GPL-2.0
/*
 * run_as: run a program as an ordinary user, the way a login would leave
 * it: no supplementary groups, real, effective and saved uid and gid all
 * the user's, and so no capabilities left (busybox here has no setuidgid,
 * and its setpriv cannot change ids).
 *
 *   run_as UID GID COMMAND [ARG...]
 *
 * Run by root. Resource limits are inherited: raise RLIMIT_MEMLOCK before.
 * Before the exec it checks that the drop holds (ids, no groups, an empty
 * effective capability set, setuid(0) refused) and exits 125 with a
 * message if not; 126/127 if COMMAND cannot be run, 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long id_arg(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v) {
		fprintf(stderr, "run_as: bad id \"%s\" (a number, not 0)\n", s);
		exit(2);
	}
	return v;
}

/* CapEff of this task, from /proc/self/status; -1 if unreadable. */
static long long cap_eff(void)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	uid_t uid, ruid, euid, suid;
	gid_t gid, rgid, egid, sgid;

	if (argc < 4) {
		fprintf(stderr, "usage: run_as UID GID COMMAND [ARG...]\n");
		return 2;
	}
	uid = id_arg(argv[1]);
	gid = id_arg(argv[2]);

	/* groups and gid first: without CAP_SETGID they could not change */
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid)) {
		fprintf(stderr, "run_as: dropping to %lu:%lu: %s\n",
			(unsigned long)uid, (unsigned long)gid, strerror(errno));
		return 125;
	}
	if (getresuid(&ruid, &euid, &suid) || getresgid(&rgid, &egid, &sgid) ||
	    ruid != uid || euid != uid || suid != uid ||
	    rgid != gid || egid != gid || sgid != gid ||
	    getgroups(0, NULL) != 0 || cap_eff() != 0 || !setuid(0)) {
		fprintf(stderr, "run_as: still privileged after dropping to %lu:%lu\n",
			(unsigned long)uid, (unsigned long)gid);
		return 125;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "run_as: %s: %s\n", argv[3], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
