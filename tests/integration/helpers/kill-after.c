/* kill-after USEC COMMAND [ARG...]: run COMMAND and SIGKILL it USEC microseconds after
 * the fork (host-side helper of crash.bats; `timeout` only counts from after its own
 * start-up and rounds to its timer's resolution).  Exit status: 0 when the kill landed
 * while COMMAND ran, 3 when COMMAND had already exited (its status is printed), 2 on a
 * usage or system error. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: kill-after USEC COMMAND [ARG...]\n");
		return 2;
	}
	long usec = strtol(argv[1], NULL, 10);
	struct timespec at;
	clock_gettime(CLOCK_MONOTONIC, &at);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	at.tv_nsec += (usec % 1000000) * 1000;
	at.tv_sec += usec / 1000000 + at.tv_nsec / 1000000000;
	at.tv_nsec %= 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
		;
	int st;
	/* Not reaped yet: the pid is still ours to signal even if it just exited. */
	if (waitpid(pid, &st, WNOHANG) == pid) {
		printf("exited before the kill: status 0x%x\n", st);
		return 3;
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		return 0;
	printf("exited before the kill: status 0x%x\n", st);
	return 3;
}
