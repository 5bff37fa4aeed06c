// SPDX-License-Identifier: GPL-2.0
/*
 * secret_poll: wait for cgroup file notifications (POLLPRI), as a program
 * watching secretmem.events would.
 *
 *   secret_poll TIMEOUT_MS FILE... [-- COMMAND [ARG...]]
 *
 * Opens each FILE and reads it once (a kernfs file reports POLLPRI until
 * it has been read: the read is what arms it), then runs COMMAND if there
 * is one (after the reads, so nothing it causes can be missed), and polls
 * all the files for POLLPRI until each has reported or TIMEOUT_MS has
 * passed. Then it waits for COMMAND and reads each file again. Prints one
 * line per file and one for the command:
 *   FILE: notified=1|0 ms=N before=N after=N
 *   command: exit=N
 * where before/after are the "max N" value of the file (-1 if it has no
 * such line) and ms is when the notification came (or the timeout).
 * Exit status 0, 1 if something failed on the way, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 8

/* The "max N" value of the file, read from its start; -1 if none. */
static long read_max(int fd, const char *name)
{
	char buf[512], *p;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0) {
		fprintf(stderr, "secret_poll: lseek %s: %s\n", name, strerror(errno));
		return -2;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		fprintf(stderr, "secret_poll: read %s: %s\n", name, strerror(errno));
		return -2;
	}
	buf[n] = 0;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, "max ", 4))
			return strtol(p + 4, NULL, 10);
	return -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[MAX_FILES];
	long before[MAX_FILES], at[MAX_FILES], t0, left, timeout;
	int nfiles = 0, pending, i, ret = 0, status = 0;
	char **cmd = NULL, *end;
	pid_t pid = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: secret_poll TIMEOUT_MS FILE... [-- COMMAND [ARG...]]\n");
		return 2;
	}
	timeout = strtol(argv[1], &end, 10);
	if (*end || timeout < 0) {
		fprintf(stderr, "secret_poll: bad timeout '%s'\n", argv[1]);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			if (i + 1 < argc)
				cmd = argv + i + 1;
			break;
		}
		if (nfiles == MAX_FILES) {
			fprintf(stderr, "secret_poll: at most %d files\n", MAX_FILES);
			return 2;
		}
		pfd[nfiles].fd = open(argv[i], O_RDONLY);
		if (pfd[nfiles].fd < 0) {
			fprintf(stderr, "secret_poll: open %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		pfd[nfiles].events = POLLPRI;
		before[nfiles] = read_max(pfd[nfiles].fd, argv[i]);
		if (before[nfiles] < -1)
			return 1;
		at[nfiles] = -1;
		nfiles++;
	}
	if (!nfiles) {
		fprintf(stderr, "secret_poll: no file\n");
		return 2;
	}

	fflush(stdout);
	t0 = now_ms();
	if (cmd) {
		pid = fork();
		if (pid < 0) {
			perror("secret_poll: fork");
			return 1;
		}
		if (!pid) {
			for (i = 0; i < nfiles; i++)
				close(pfd[i].fd);
			execvp(cmd[0], cmd);
			fprintf(stderr, "secret_poll: exec %s: %s\n", cmd[0], strerror(errno));
			_exit(127);
		}
	}

	for (pending = nfiles; pending; ) {
		left = timeout - (now_ms() - t0);
		if (left < 0)
			left = 0;
		i = poll(pfd, nfiles, left);
		if (i < 0) {
			if (errno == EINTR)
				continue;
			perror("secret_poll: poll");
			ret = 1;
			break;
		}
		if (!i)
			break;
		for (i = 0; i < nfiles; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & POLLPRI))
				continue;
			at[i] = now_ms() - t0;
			/* reported: stop polling it (a negative fd is skipped) */
			pfd[i].fd = ~pfd[i].fd;
			pending--;
		}
	}

	if (pid > 0) {
		if (waitpid(pid, &status, 0) < 0) {
			perror("secret_poll: waitpid");
			ret = 1;
		}
	}
	for (i = 0; i < nfiles; i++) {
		int fd = pfd[i].fd < 0 ? ~pfd[i].fd : pfd[i].fd;
		long after = read_max(fd, argv[2 + i]);

		if (after < -1)
			ret = 1;
		printf("%s: notified=%d ms=%ld before=%ld after=%ld\n", argv[2 + i],
		       at[i] >= 0, at[i] >= 0 ? at[i] : timeout, before[i], after);
		close(fd);
	}
	if (pid > 0)
		printf("command: exit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return ret;
}
