/*
 * Sockets on the loopback and in pairs, printing only what is the same from run to run (no
 * ports, no pids): socketpair send/recv and shutdown, a TCP server and client in one process
 * (bind to port 0, getsockname, listen, connect, accept4, getpeername agreeing with the
 * client's getsockname), UDP sendto/recvfrom with the sender's address, sendmmsg/recvmmsg, socket options
 * (SO_REUSEADDR, SO_TYPE, SO_RCVTIMEO, SO_LINGER), sendmsg/recvmsg with two iovecs and a
 * descriptor passed with SCM_RIGHTS, and the errors of bad calls. Built for i386 (where glibc
 * goes through socketcall or the direct calls), x86-64 and natively; the output must match.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static void check(const char *what, long r) {
    if (r < 0) {
        printf("%s: error %s\n", what, strerror(errno));
    }
}

static void pair(void) {
    int sv[2];
    check("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    check("send", send(sv[0], "ping", 4, 0));
    char buf[16] = {0};
    long n = recv(sv[1], buf, sizeof buf, 0);
    printf("pair: %ld bytes \"%s\"\n", n, buf);
    check("shutdown", shutdown(sv[0], SHUT_WR));
    n = recv(sv[1], buf, sizeof buf, 0);
    printf("pair: after shutdown recv %ld\n", n);
    int type = 0;
    socklen_t len = sizeof type;
    check("getsockopt", getsockopt(sv[1], SOL_SOCKET, SO_TYPE, &type, &len));
    printf("pair: SO_TYPE %s, length %u\n", type == SOCK_STREAM ? "stream" : "other", (unsigned) len);
    close(sv[0]);
    close(sv[1]);
}

static void tcp(void) {
    int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check("socket", server);
    int one = 1;
    check("setsockopt", setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    int reuse = 0;
    socklen_t len = sizeof reuse;
    check("getsockopt", getsockopt(server, SOL_SOCKET, SO_REUSEADDR, &reuse, &len));
    printf("tcp: SO_REUSEADDR %d\n", reuse != 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    check("bind", bind(server, (struct sockaddr *) &addr, sizeof addr));
    len = sizeof addr;
    check("getsockname", getsockname(server, (struct sockaddr *) &addr, &len));
    printf("tcp: bound to %s, family %s, port %s, length %u\n", inet_ntoa(addr.sin_addr),
           addr.sin_family == AF_INET ? "AF_INET" : "other", ntohs(addr.sin_port) != 0 ? "chosen" : "zero", (unsigned) len);
    check("listen", listen(server, 4));
    int client = socket(AF_INET, SOCK_STREAM, 0);
    check("connect", connect(client, (struct sockaddr *) &addr, sizeof addr));
    struct sockaddr_in peer, local;
    socklen_t plen = sizeof peer, llen = sizeof local;
    int conn = accept4(server, (struct sockaddr *) &peer, &plen, SOCK_CLOEXEC);
    check("accept4", conn);
    check("getsockname", getsockname(client, (struct sockaddr *) &local, &llen));
    printf("tcp: accepted, peer is the client: %s, cloexec %d\n",
           peer.sin_port == local.sin_port && peer.sin_addr.s_addr == local.sin_addr.s_addr ? "yes" : "no",
           (fcntl(conn, F_GETFD) & FD_CLOEXEC) != 0);
    struct sockaddr_in other;
    socklen_t olen = sizeof other;
    check("getpeername", getpeername(conn, (struct sockaddr *) &other, &olen));
    printf("tcp: getpeername agrees: %s\n", other.sin_port == local.sin_port ? "yes" : "no");
    int nodelay = 1;
    check("setsockopt", setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof nodelay));
    struct linger linger = {1, 5};
    check("setsockopt", setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, sizeof linger));
    struct linger got;
    socklen_t glen = sizeof got;
    check("getsockopt", getsockopt(client, SOL_SOCKET, SO_LINGER, &got, &glen));
    printf("tcp: SO_LINGER %d %d\n", got.l_onoff, got.l_linger);
    struct timeval tv = {2, 500000};
    check("setsockopt", setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    struct timeval tv2;
    socklen_t tlen = sizeof tv2;
    check("getsockopt", getsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv2, &tlen));
    printf("tcp: SO_RCVTIMEO %ld.%06ld, length matches %d\n", (long) tv2.tv_sec, (long) tv2.tv_usec, tlen == sizeof tv2);
    const char *message = "hello over tcp";
    check("write", write(client, message, strlen(message)));
    char buf[64] = {0};
    long n = read(conn, buf, sizeof buf);
    printf("tcp: %ld bytes \"%s\"\n", n, buf);
    close(client);
    n = recv(conn, buf, sizeof buf, 0);
    printf("tcp: after the client closed recv %ld\n", n);
    long s = send(conn, "x", 1, MSG_NOSIGNAL);
    s = s < 0 ? s : send(conn, "x", 1, MSG_NOSIGNAL);
    printf("tcp: send to a closed peer: %s\n", s < 0 && (errno == EPIPE || errno == ECONNRESET) ? "EPIPE/ECONNRESET" : "no error");
    close(conn);
    close(server);
}

static void udp(void) {
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    check("bind", bind(b, (struct sockaddr *) &addr, sizeof addr));
    socklen_t len = sizeof addr;
    check("getsockname", getsockname(b, (struct sockaddr *) &addr, &len));
    check("sendto", sendto(a, "datagram", 8, 0, (struct sockaddr *) &addr, sizeof addr));
    struct sockaddr_in from, aname;
    socklen_t flen = sizeof from, alen = sizeof aname;
    char buf[32] = {0};
    long n = recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *) &from, &flen);
    check("getsockname", getsockname(a, (struct sockaddr *) &aname, &alen));
    printf("udp: %ld bytes \"%s\" from the sender: %s, family %s\n", n, buf, from.sin_port == aname.sin_port ? "yes" : "no",
           from.sin_family == AF_INET ? "AF_INET" : "other");
    n = recvfrom(b, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL);
    printf("udp: nothing left: %ld %s\n", n, n < 0 && errno == EAGAIN ? "EAGAIN" : "?");
    /* two datagrams in one sendmmsg, received by one recvmmsg that waits for the first only */
    char one[] = "first", two[] = "second!";
    struct iovec iov[2] = {{one, 5}, {two, 7}};
    struct mmsghdr out[2] = {{.msg_hdr = {.msg_name = &addr, .msg_namelen = sizeof addr, .msg_iov = &iov[0], .msg_iovlen = 1}},
                             {.msg_hdr = {.msg_name = &addr, .msg_namelen = sizeof addr, .msg_iov = &iov[1], .msg_iovlen = 1}}};
    int sent = sendmmsg(a, out, 2, 0);
    char r1[16] = {0}, r2[16] = {0}, r3[16] = {0};
    struct iovec riov[3] = {{r1, 15}, {r2, 15}, {r3, 15}};
    struct mmsghdr in[3];
    memset(in, 0, sizeof in);
    for (int i = 0; i < 3; i++) {
        in[i].msg_hdr.msg_iov = &riov[i];
        in[i].msg_hdr.msg_iovlen = 1;
    }
    int got = recvmmsg(b, in, 3, MSG_WAITFORONE, NULL);
    printf("udp: sendmmsg %d, recvmmsg %d: \"%s\" %u, \"%s\" %u\n", sent, got, r1, in[0].msg_len, r2, in[1].msg_len);
    close(a);
    close(b);
}

/* Room for one control message carrying one descriptor, aligned for a cmsghdr. */
union one_descriptor {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(int))];
};

static void messages(void) {
    int sv[2];
    check("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    int pipefd[2];
    check("pipe", pipe(pipefd));
    char first[] = "two ", second[] = "parts";
    struct iovec out[2] = {{first, 4}, {second, 5}};
    union one_descriptor control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {.msg_iov = out, .msg_iovlen = 2, .msg_control = control.bytes, .msg_controllen = sizeof control.bytes};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pipefd[1], sizeof(int));
    long n = sendmsg(sv[0], &msg, 0);
    printf("msg: sent %ld\n", n);
    char a[5] = {0}, b[16] = {0};
    struct iovec in[2] = {{a, 4}, {b, sizeof b - 1}};
    union one_descriptor received;
    memset(&received, 0, sizeof received);
    struct msghdr rmsg = {.msg_iov = in, .msg_iovlen = 2, .msg_control = received.bytes, .msg_controllen = sizeof received.bytes};
    n = recvmsg(sv[1], &rmsg, 0);
    printf("msg: received %ld \"%s\" \"%s\", flags %d\n", n, a, b, rmsg.msg_flags);
    struct cmsghdr *r = CMSG_FIRSTHDR(&rmsg);
    if (r != NULL && r->cmsg_level == SOL_SOCKET && r->cmsg_type == SCM_RIGHTS) {
        int passed;
        memcpy(&passed, CMSG_DATA(r), sizeof passed);
        check("write", write(passed, "through the passed fd", 21));
        close(passed);
        close(pipefd[1]);
        char buf[32] = {0};
        n = read(pipefd[0], buf, sizeof buf);
        printf("msg: the passed descriptor writes into the pipe: %ld \"%s\"\n", n, buf);
    } else {
        printf("msg: no descriptor received\n");
    }
    close(pipefd[0]);
    close(sv[0]);
    close(sv[1]);
}

static void errors(void) {
    long r = socket(12345, SOCK_STREAM, 0);
    printf("errors: bad family %ld %s\n", r, r < 0 && errno == EAFNOSUPPORT ? "EAFNOSUPPORT" : strerror(errno));
    r = bind(1000, NULL, 0);
    printf("errors: bind on a closed fd %ld %s\n", r, r < 0 && errno == EBADF ? "EBADF" : strerror(errno));
    r = listen(0, 1);
    printf("errors: listen on stdin %ld %s\n", r, r < 0 && errno == ENOTSOCK ? "ENOTSOCK" : strerror(errno));
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(1), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    r = connect(s, (struct sockaddr *) &addr, sizeof addr);
    printf("errors: connect to a closed port %ld %s\n", r, r < 0 && errno == ECONNREFUSED ? "ECONNREFUSED" : strerror(errno));
    close(s);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    pair();
    tcp();
    udp();
    messages();
    errors();
    return 0;
}
