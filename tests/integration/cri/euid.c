/*
 * euid: prints "Effective uid: N". critest's NoNewPrivs tests run it set-user-ID root as uid
 * 1000 and expect 0 without no_new_privs and 1000 with it (the image they pull is made by
 * cri/images.bash from busybox-static and this program, built static).
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("Effective uid: %d\n", (int) geteuid());
	return 0;
}
