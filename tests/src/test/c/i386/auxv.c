/* What the initial stack and auxv tell a program: argv, environment, auxv entries, /proc/self/exe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(int argc, char **argv) {
    printf("argc %d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d] %s\n", i, argv[i]);
    printf("env %s\n", getenv("GUEST_TEST_VAR") ? getenv("GUEST_TEST_VAR") : "(unset)");
    printf("pagesz %lu phent %lu secure %lu clktck %lu\n", getauxval(AT_PAGESZ), getauxval(AT_PHENT),
           getauxval(AT_SECURE), getauxval(AT_CLKTCK));
    printf("uid match %d gid match %d\n", getauxval(AT_UID) == getuid(), getauxval(AT_GID) == getgid());
    printf("platform %s\n", (const char *)getauxval(AT_PLATFORM));
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("execfn ends %s\n", strrchr(execfn, '/'));
    printf("random nonzero %d\n", getauxval(AT_RANDOM) != 0);
    char exe[4096] = {0};
    readlink("/proc/self/exe", exe, sizeof exe - 1);
    printf("exe ends %s\n", strrchr(exe, '/'));
    struct utsname u;
    uname(&u);
    printf("machine %s\n", u.machine);
    return 0;
}
