/* Prints "struct.field offset size" for the x86-64 kernel structs the emulator lays out. */
#include <stddef.h>
#include <stdio.h>
#include <asm/stat.h>
#include <asm/statfs.h>
#include <asm/signal.h>
#include <linux/resource.h>
#include <linux/time_types.h>
#include <linux/utsname.h>

#define FIELD(type, name, field) \
    printf("%s.%s %zu %zu\n", name, #field, offsetof(type, field), sizeof(((type *) 0)->field))
#define SIZE(type, name) printf("%s %zu\n", name, sizeof(type))

void kernel_layouts(void)
{
    SIZE(struct stat, "stat");
    FIELD(struct stat, "stat", st_dev);
    FIELD(struct stat, "stat", st_ino);
    FIELD(struct stat, "stat", st_nlink);
    FIELD(struct stat, "stat", st_mode);
    FIELD(struct stat, "stat", st_uid);
    FIELD(struct stat, "stat", st_gid);
    FIELD(struct stat, "stat", st_rdev);
    FIELD(struct stat, "stat", st_size);
    FIELD(struct stat, "stat", st_blksize);
    FIELD(struct stat, "stat", st_blocks);
    FIELD(struct stat, "stat", st_atime);
    FIELD(struct stat, "stat", st_atime_nsec);
    FIELD(struct stat, "stat", st_mtime);
    FIELD(struct stat, "stat", st_mtime_nsec);
    FIELD(struct stat, "stat", st_ctime);
    FIELD(struct stat, "stat", st_ctime_nsec);

    SIZE(struct statfs, "statfs");
    FIELD(struct statfs, "statfs", f_type);
    FIELD(struct statfs, "statfs", f_bsize);
    FIELD(struct statfs, "statfs", f_blocks);
    FIELD(struct statfs, "statfs", f_bfree);
    FIELD(struct statfs, "statfs", f_bavail);
    FIELD(struct statfs, "statfs", f_files);
    FIELD(struct statfs, "statfs", f_ffree);
    FIELD(struct statfs, "statfs", f_fsid);
    FIELD(struct statfs, "statfs", f_namelen);
    FIELD(struct statfs, "statfs", f_frsize);
    FIELD(struct statfs, "statfs", f_flags);
    FIELD(struct statfs, "statfs", f_spare);
    SIZE(struct statfs64, "statfs64");

    SIZE(struct sigaction, "sigaction");
    FIELD(struct sigaction, "sigaction", sa_handler);
    FIELD(struct sigaction, "sigaction", sa_flags);
    FIELD(struct sigaction, "sigaction", sa_restorer);
    FIELD(struct sigaction, "sigaction", sa_mask);

    SIZE(struct __kernel_timespec, "timespec");
    FIELD(struct __kernel_timespec, "timespec", tv_sec);
    FIELD(struct __kernel_timespec, "timespec", tv_nsec);
    SIZE(struct __kernel_old_timeval, "timeval");
    FIELD(struct __kernel_old_timeval, "timeval", tv_sec);
    FIELD(struct __kernel_old_timeval, "timeval", tv_usec);

    SIZE(struct rlimit, "rlimit");
    FIELD(struct rlimit, "rlimit", rlim_cur);
    FIELD(struct rlimit, "rlimit", rlim_max);
    SIZE(struct rlimit64, "rlimit64");

    SIZE(struct new_utsname, "utsname");
    FIELD(struct new_utsname, "utsname", sysname);
    FIELD(struct new_utsname, "utsname", nodename);
    FIELD(struct new_utsname, "utsname", release);
    FIELD(struct new_utsname, "utsname", version);
    FIELD(struct new_utsname, "utsname", machine);
    FIELD(struct new_utsname, "utsname", domainname);
}
