/* Terminal attributes on a pseudo-terminal: tcgetattr, tcsetattr, speeds, window size, raw mode. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static int baud(speed_t s) {
    switch (s) {
        case B0: return 0;
        case B1200: return 1200;
        case B9600: return 9600;
        case B19200: return 19200;
        case B38400: return 38400;
        case B57600: return 57600;
        case B115200: return 115200;
        case B230400: return 230400;
        case B4000000: return 4000000;
        default: return -1;
    }
}

static void show(const char *what, const struct termios *t) {
    printf("%s: icanon %d echo %d echoe %d isig %d iexten %d icrnl %d ixon %d opost %d onlcr %d"
           " cs8 %d cread %d parenb %d cstopb %d ospeed %d ispeed %d"
           " intr %d quit %d erase %d kill %d eof %d susp %d start %d stop %d vmin %d vtime %d\n",
           what, !!(t->c_lflag & ICANON), !!(t->c_lflag & ECHO), !!(t->c_lflag & ECHOE), !!(t->c_lflag & ISIG),
           !!(t->c_lflag & IEXTEN), !!(t->c_iflag & ICRNL), !!(t->c_iflag & IXON), !!(t->c_oflag & OPOST),
           !!(t->c_oflag & ONLCR), (t->c_cflag & CSIZE) == CS8, !!(t->c_cflag & CREAD), !!(t->c_cflag & PARENB),
           !!(t->c_cflag & CSTOPB), baud(cfgetospeed(t)), baud(cfgetispeed(t)),
           t->c_cc[VINTR], t->c_cc[VQUIT], t->c_cc[VERASE], t->c_cc[VKILL], t->c_cc[VEOF], t->c_cc[VSUSP],
           t->c_cc[VSTART], t->c_cc[VSTOP], t->c_cc[VMIN], t->c_cc[VTIME]);
}

int main(int argc, char **argv) {
    char path[4096];
    snprintf(path, sizeof path, "%s/plain", argc > 1 ? argv[1] : "/tmp");
    int plain = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    struct termios t;
    printf("plain file isatty %d tcgetattr %d\n", isatty(plain), tcgetattr(plain, &t));
    close(plain);
    unlink(path);

    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) { perror("posix_openpt"); return 1; }
    char *name = ptsname(master);
    if (name == NULL) { perror("ptsname"); return 1; }
    printf("ptsname under /dev/pts %d\n", strncmp(name, "/dev/pts/", 9) == 0);
    int slave = open(name, O_RDWR | O_NOCTTY);
    if (slave < 0) { perror("open slave"); return 1; }
    printf("slave isatty %d\n", isatty(slave));

    if (tcgetattr(slave, &t) != 0) { perror("tcgetattr"); return 1; }
    show("initial", &t);

    t.c_cc[VINTR] = 5; t.c_cc[VEOF] = 6; t.c_cc[VSUSP] = 7; t.c_cc[VERASE] = 8; t.c_cc[VSTOP] = 9;
    t.c_lflag &= ~ECHOE;
    t.c_cflag |= CSTOPB;
    cfsetospeed(&t, B115200);
    cfsetispeed(&t, B9600);
    printf("tcsetattr %d\n", tcsetattr(slave, TCSANOW, &t));
    struct termios back;
    memset(&back, 0, sizeof back);
    tcgetattr(slave, &back);
    show("changed", &back);

    cfmakeraw(&back);
    back.c_cc[VMIN] = 3; back.c_cc[VTIME] = 7;
    cfsetspeed(&back, B4000000);
    printf("tcsetattr raw %d\n", tcsetattr(slave, TCSAFLUSH, &back));
    memset(&t, 0, sizeof t);
    tcgetattr(slave, &t);
    show("raw", &t);

    write(master, "abc\r", 4);
    char buf[16] = {0};
    ssize_t n = read(slave, buf, sizeof buf - 1);
    printf("raw read %zd [%.3s] cr %d\n", n, buf, n == 4 && buf[3] == '\r');

    cfmakeraw(&t);
    t.c_lflag |= ICANON | ECHO;
    t.c_iflag |= ICRNL;
    t.c_oflag |= OPOST | ONLCR;
    tcsetattr(slave, TCSANOW, &t);
    write(master, "line\r", 5);
    memset(buf, 0, sizeof buf);
    n = read(slave, buf, sizeof buf - 1);
    printf("canonical read %zd [%s]\n", n, n > 0 && buf[n - 1] == '\n' ? "line+newline" : buf);
    memset(buf, 0, sizeof buf);
    n = read(master, buf, sizeof buf - 1);
    printf("echo %zd [%s]\n", n, strcmp(buf, "line\r\n") == 0 ? "line+crlf" : "other");

    struct winsize ws = {.ws_row = 33, .ws_col = 101, .ws_xpixel = 7, .ws_ypixel = 9}, got;
    memset(&got, 0, sizeof got);
    int set = ioctl(master, TIOCSWINSZ, &ws);
    int get = ioctl(slave, TIOCGWINSZ, &got);
    printf("setwinsz %d getwinsz %d rows %d cols %d x %d y %d\n", set, get, got.ws_row, got.ws_col, got.ws_xpixel,
           got.ws_ypixel);
    write(master, "xyz", 3);
    int pending = -1;
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    usleep(100000);
    int asked = ioctl(slave, FIONREAD, &pending);
    printf("fionread %d %d\n", asked, pending);
    printf("tcflush %d\n", tcflush(slave, TCIFLUSH));
    pending = -1;
    ioctl(slave, FIONREAD, &pending);
    printf("after flush %d\n", pending);
    return 0;
}
