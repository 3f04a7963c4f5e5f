/* dirent64 comes from glibc: the kernel does not export struct linux_dirent64, and glibc's
 * struct dirent64 is defined to be the same bytes getdents64 writes. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>

void kernel_layouts(void);

#define FIELD(type, name, field) \
    printf("%s.%s %zu %zu\n", name, #field, offsetof(type, field), sizeof(((type *) 0)->field))

int main(void)
{
    kernel_layouts();
    FIELD(struct dirent64, "dirent64", d_ino);
    FIELD(struct dirent64, "dirent64", d_off);
    FIELD(struct dirent64, "dirent64", d_reclen);
    FIELD(struct dirent64, "dirent64", d_type);
    FIELD(struct dirent64, "dirent64", d_name);
    return 0;
}
