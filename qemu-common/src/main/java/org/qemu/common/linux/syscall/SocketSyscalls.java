package org.qemu.common.linux.syscall;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.common.linux.Errno;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;

/**
 * Sockets. Guest descriptors are host descriptors, so each call is the host's own on guest
 * memory; what differs between a guest and this x86-64 host is converted on the way: a
 * sockaddr's family field and socklen_t are in the guest's byte order (the rest of a sockaddr is
 * in network order on both sides), integer socket options likewise, the old SO_RCVTIMEO and
 * SO_SNDTIMEO timevals hold words of the guest's size, and msghdr, iovec and cmsghdr hold
 * pointers and words of the guest's size. Descriptors that arrive in SCM_RIGHTS messages become
 * the guest's. The i386 and PowerPC ABIs also reach these through socketcall(2).
 */
final class SocketSyscalls extends SyscallSupport {
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int SO_LINGER = 13;
    private static final int SO_RCVTIMEO_OLD = 20, SO_SNDTIMEO_OLD = 21;
    private static final int MSG_CTRUNC = 0x8, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000, MSG_WAITFORONE = 0x10000;
    /** The largest sockaddr (sockaddr_storage). */
    private static final int SOCKADDR_MAX = 128;
    /** The largest option value handed through (a struct; most options are an int). */
    private static final int OPTION_MAX = 1024;
    private static final int IOV_MAX = 1024;
    /** Host (x86-64) msghdr: name, namelen, iov, iovlen, control, controllen, flags. */
    private static final int HOST_MSGHDR = 56;
    private final FdTable fds;

    SocketSyscalls(LinuxProcess process, FdTable fds) {
        super(process);
        this.fds = fds;
    }

    long socket(int domain, int type, int protocol) {
        long r = HostSyscall.call(HostNr.SOCKET, domain, type, protocol);
        fds.add(r);
        return r;
    }

    long socketpair(int domain, int type, int protocol, long pair) {
        long r = HostSyscall.call(HostNr.SOCKETPAIR, domain, type, protocol, host(pair, 8, true));
        if (r == 0) {
            if (data.bigEndian()) {
                GuestStructFixups.intPair(memory, pair);
            }
            fds.add(data.s32(pair));
            fds.add(data.s32(pair + 4));
        }
        return r;
    }

    long bind(int fd, long address, long length) {
        return withAddress(HostNr.BIND, fd, address, length);
    }

    long connect(int fd, long address, long length) {
        return withAddress(HostNr.CONNECT, fd, address, length);
    }

    private long withAddress(int nr, int fd, long address, long length) {
        Scratch s = Scratch.begin();
        long in = addressIn(s, address, length);
        return in < 0 ? in : HostSyscall.call(nr, fd, in, length);
    }

    long listen(int fd, int backlog) {
        return HostSyscall.call(HostNr.LISTEN, fd, backlog);
    }

    long shutdown(int fd, int how) {
        return HostSyscall.call(HostNr.SHUTDOWN, fd, how);
    }

    long accept(int fd, long address, long lengthAt, int flags) {
        Scratch s = Scratch.begin();
        AddressOut out = AddressOut.prepare(this, s, address, lengthAt);
        if (out.error != 0) {
            return out.error;
        }
        long r = HostSyscall.call(HostNr.ACCEPT4, fd, out.hostAddress, out.hostLength, flags);
        if (r >= 0) {
            fds.add(r);
            out.finish(this);
        }
        return r;
    }

    long getsockname(int fd, long address, long lengthAt, boolean peer) {
        Scratch s = Scratch.begin();
        AddressOut out = AddressOut.prepare(this, s, address, lengthAt);
        if (out.error != 0) {
            return out.error;
        }
        if (address == 0) {
            return EFAULT;
        }
        long r = HostSyscall.call(peer ? HostNr.GETPEERNAME : HostNr.GETSOCKNAME, fd, out.hostAddress, out.hostLength);
        if (r == 0) {
            out.finish(this);
        }
        return r;
    }

    long sendto(LinuxThread thread, int fd, long buffer, long length, int flags, long address, long addressLength) {
        Scratch s = Scratch.begin();
        long to = addressIn(s, address, addressLength);
        if (to < 0) {
            return to;
        }
        long r = HostSyscall.call(HostNr.SENDTO, fd, length == 0 ? 0 : host(buffer, length, false), length, flags, to,
                address == 0 ? 0 : addressLength);
        return brokenPipe(thread, r, flags);
    }

    long recvfrom(int fd, long buffer, long length, int flags, long address, long lengthAt) {
        Scratch s = Scratch.begin();
        AddressOut out = AddressOut.prepare(this, s, address, lengthAt);
        if (out.error != 0) {
            return out.error;
        }
        long r = HostSyscall.call(HostNr.RECVFROM, fd, length == 0 ? 0 : host(buffer, length, true), length, flags,
                out.hostAddress, out.hostLength);
        if (r >= 0) {
            out.finish(this);
        }
        return r;
    }

    long setsockopt(int fd, int level, int guestName, long value, long length) {
        int name = level == SOL_SOCKET ? process.abi().hostSocketOption(guestName) : guestName;
        if (length < 0 || length > OPTION_MAX) {
            return err(Errno.EINVAL);
        }
        Scratch s = Scratch.begin();
        if (oldTimeval(level, name)) {
            if (length < 8) {
                return err(Errno.EINVAL);
            }
            MemorySegment tv = s.allocate(16);
            tv.set(ValueLayout.JAVA_LONG, 0, signedWord(value));
            tv.set(ValueLayout.JAVA_LONG, 8, signedWord(value + 4));
            return HostSyscall.call(HostNr.SETSOCKOPT, fd, level, name, tv.address(), 16, 0);
        }
        long hostValue = value == 0 || length == 0 ? value : copyIn(s, value, length);
        if (data.bigEndian() && hostValue != 0 && swapsInts(level, name, length)) {
            swapInts(hostValue, length);
        }
        return HostSyscall.call(HostNr.SETSOCKOPT, fd, level, name, hostValue, length, 0);
    }

    long getsockopt(int fd, int level, int guestName, long value, long lengthAt) {
        int name = level == SOL_SOCKET ? process.abi().hostSocketOption(guestName) : guestName;
        int guestLength = data.s32(lengthAt);
        if (guestLength < 0) {
            return err(Errno.EINVAL);
        }
        memory.checkRange(value, guestLength, true);
        Scratch s = Scratch.begin();
        MemorySegment hostValue = s.allocate(OPTION_MAX);
        MemorySegment hostLength = s.allocate(4);
        boolean oldTimeval = oldTimeval(level, name);
        hostLength.set(ValueLayout.JAVA_INT, 0, oldTimeval ? 16 : Math.min(guestLength, OPTION_MAX));
        long r = HostSyscall.call(HostNr.GETSOCKOPT, fd, level, name, hostValue.address(), hostLength.address(), 0);
        if (r != 0) {
            return r;
        }
        int produced = hostLength.get(ValueLayout.JAVA_INT, 0);
        if (oldTimeval) {
            if (guestLength < 8) {
                return err(Errno.EINVAL);
            }
            putWordPair(value, hostValue.get(ValueLayout.JAVA_LONG, 0), hostValue.get(ValueLayout.JAVA_LONG, 8));
            data.put32(lengthAt, 8);
            return 0;
        }
        int copied = Math.min(produced, guestLength);
        if (data.bigEndian() && swapsInts(level, name, copied)) {
            swapInts(hostValue.address(), copied);
        }
        MemorySegment.copy(hostValue, 0, memory.segment(), value, copied);
        data.put32(lengthAt, produced);
        return 0;
    }

    /** SO_RCVTIMEO/SO_SNDTIMEO of a 32-bit guest: a timeval of two 32-bit words against the host's two longs. */
    private boolean oldTimeval(int level, int name) {
        return level == SOL_SOCKET && (name == SO_RCVTIMEO_OLD || name == SO_SNDTIMEO_OLD) && word == 4;
    }

    /** Integer options (and SO_LINGER's two ints) are in the guest's byte order; other structs hold network-order fields. */
    private static boolean swapsInts(int level, int name, long length) {
        return length == 4 || level == SOL_SOCKET && name == SO_LINGER && length == 8;
    }

    long sendmsg(LinuxThread thread, int fd, long message, int flags) {
        Scratch s = Scratch.begin();
        MemorySegment msg = s.allocate(HOST_MSGHDR);
        long r = hostMessage(s, msg, message, false);
        if (r < 0) {
            return r;
        }
        return brokenPipe(thread, HostSyscall.call(HostNr.SENDMSG, fd, msg.address(), flags), flags);
    }

    long recvmsg(int fd, long message, int flags) {
        Scratch s = Scratch.begin();
        MemorySegment msg = s.allocate(HOST_MSGHDR);
        long r = hostMessage(s, msg, message, true);
        if (r < 0) {
            return r;
        }
        r = HostSyscall.call(HostNr.RECVMSG, fd, msg.address(), flags);
        if (r >= 0) {
            messageBack(msg, message);
        }
        return r;
    }

    /**
     * sendmmsg as sendmsg of each message in turn (each guest mmsghdr is a msghdr and the count
     * sent): the count of messages sent, or the error when the first one fails.
     */
    long sendmmsg(LinuxThread thread, int fd, long messages, int count, int flags) {
        long stride = mmsghdrSize();
        int sent = 0;
        for (int i = 0; i < Math.min(count, IOV_MAX); i++) {
            long at = messages + i * stride;
            long r = sendmsg(thread, fd, at, flags);
            if (r < 0) {
                return sent > 0 ? sent : r;
            }
            data.put32(at + msghdrSize(), (int) r);
            sent++;
        }
        return sent;
    }

    /**
     * recvmmsg as recvmsg of each message in turn: the first as the flags say, the later ones
     * without waiting under MSG_WAITFORONE; the timeout (a timespec, the guest's words or 64-bit
     * with {@code time64}) is looked at after each message, as the kernel does. The count
     * received, or the error when the first one fails.
     */
    long recvmmsg(int fd, long messages, int count, int flags, long timeout, boolean time64) {
        long deadline = Long.MAX_VALUE;
        if (timeout != 0) {
            long nanos = readTimespecNanos(timeout, time64);
            if (nanos < 0) {
                return err(Errno.EINVAL);
            }
            deadline = System.nanoTime() + nanos;
        }
        long stride = mmsghdrSize();
        int received = 0;
        for (int i = 0; i < Math.min(count, IOV_MAX); i++) {
            long at = messages + i * stride;
            int f = received > 0 && (flags & MSG_WAITFORONE) != 0 ? flags | MSG_DONTWAIT : flags;
            long r = recvmsg(fd, at, f & ~MSG_WAITFORONE);
            if (r < 0) {
                return received > 0 ? received : r;
            }
            data.put32(at + msghdrSize(), (int) r);
            received++;
            if (System.nanoTime() >= deadline) {
                break;
            }
        }
        return received;
    }

    /**
     * socketcall(2), the i386 and PowerPC multiplexer: {@code call} picks the operation, {@code args}
     * points to its arguments as guest words.
     */
    long socketcall(LinuxThread thread, int call, long args) {
        int[] counts = {0, 3, 3, 3, 2, 3, 3, 3, 4, 4, 4, 6, 6, 2, 5, 5, 3, 3, 4, 5, 4};
        if (call < 1 || call >= counts.length) {
            return err(Errno.EINVAL);
        }
        long[] a = new long[6];
        for (int i = 0; i < counts[call]; i++) {
            a[i] = data.word(args + (long) i * word);
        }
        return switch (call) {
            case 1 -> socket((int) a[0], (int) a[1], (int) a[2]);
            case 2 -> bind((int) a[0], a[1], a[2]);
            case 3 -> connect((int) a[0], a[1], a[2]);
            case 4 -> listen((int) a[0], (int) a[1]);
            case 5 -> accept((int) a[0], a[1], a[2], 0);
            case 6 -> getsockname((int) a[0], a[1], a[2], false);
            case 7 -> getsockname((int) a[0], a[1], a[2], true);
            case 8 -> socketpair((int) a[0], (int) a[1], (int) a[2], a[3]);
            case 9 -> sendto(thread, (int) a[0], a[1], a[2], (int) a[3], 0, 0);
            case 10 -> recvfrom((int) a[0], a[1], a[2], (int) a[3], 0, 0);
            case 11 -> sendto(thread, (int) a[0], a[1], a[2], (int) a[3], a[4], a[5]);
            case 12 -> recvfrom((int) a[0], a[1], a[2], (int) a[3], a[4], a[5]);
            case 13 -> shutdown((int) a[0], (int) a[1]);
            case 14 -> setsockopt((int) a[0], (int) a[1], (int) a[2], a[3], a[4]);
            case 15 -> getsockopt((int) a[0], (int) a[1], (int) a[2], a[3], a[4]);
            case 16 -> sendmsg(thread, (int) a[0], a[1], (int) a[2]);
            case 17 -> recvmsg((int) a[0], a[1], (int) a[2]);
            case 18 -> accept((int) a[0], a[1], a[2], (int) a[3]);
            case 19 -> recvmmsg((int) a[0], a[1], (int) a[2], (int) a[3], a[4], false);
            case 20 -> sendmmsg(thread, (int) a[0], a[1], (int) a[2], (int) a[3]);
            default -> err(Errno.EINVAL);
        };
    }

    // ---- conversions ----------------------------------------------------------------------------

    /** A guest sockaddr copied to scratch memory, its family in host order; 0 for none, or -errno. */
    private long addressIn(Scratch s, long address, long length) {
        if (address == 0) {
            return 0;
        }
        if (length < 0 || length > SOCKADDR_MAX) {
            return err(Errno.EINVAL);
        }
        long copy = copyIn(s, address, length);
        if (data.bigEndian() && length >= 2) {
            swapFamily(copy);
        }
        return copy;
    }

    private long copyIn(Scratch s, long address, long length) {
        memory.checkRange(address, length, false);
        MemorySegment copy = s.allocate(Math.max(length, 1));
        MemorySegment.copy(memory.segment(), address, copy, 0, length);
        return copy.address();
    }

    private static void swapFamily(long hostAddress) {
        MemorySegment family = MemorySegment.ofAddress(hostAddress).reinterpret(2);
        family.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, Short.reverseBytes(family.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)));
    }

    private static void swapInts(long hostAddress, long length) {
        MemorySegment ints = MemorySegment.ofAddress(hostAddress).reinterpret(length);
        for (long i = 0; i + 4 <= length; i += 4) {
            ints.set(ValueLayout.JAVA_INT_UNALIGNED, i, Integer.reverseBytes(ints.get(ValueLayout.JAVA_INT_UNALIGNED, i)));
        }
    }

    /** A sockaddr the host fills in (accept, getsockname, recvfrom), copied back to the guest's buffer and length. */
    private static final class AddressOut {
        long hostAddress;
        long hostLength;
        long guestAddress;
        long guestLengthAt;
        int guestLength;
        long error;

        static AddressOut prepare(SocketSyscalls calls, Scratch s, long address, long lengthAt) {
            AddressOut out = new AddressOut();
            out.guestAddress = address;
            out.guestLengthAt = lengthAt;
            if (address == 0) {
                return out;
            }
            out.guestLength = calls.data.s32(lengthAt);
            if (out.guestLength < 0) {
                out.error = err(Errno.EINVAL);
                return out;
            }
            // checked before the call: a connection accepted and then lost to a bad pointer is not undone
            calls.memory.checkRange(address, out.guestLength, true);
            calls.memory.checkRange(lengthAt, 4, true);
            MemorySegment buffer = s.allocate(SOCKADDR_MAX);
            MemorySegment length = s.allocate(4);
            length.set(ValueLayout.JAVA_INT, 0, SOCKADDR_MAX);
            out.hostAddress = buffer.address();
            out.hostLength = length.address();
            return out;
        }

        void finish(SocketSyscalls calls) {
            if (guestAddress != 0) {
                int produced = MemorySegment.ofAddress(hostLength).reinterpret(4).get(ValueLayout.JAVA_INT, 0);
                calls.addressBack(hostAddress, produced, guestAddress, guestLength, guestLengthAt);
            }
        }
    }

    /**
     * A sockaddr the host wrote ({@code produced} bytes) into the guest's buffer of
     * {@code guestLength} bytes, its family in the guest's order, and the full length at
     * {@code guestLengthAt} (longer than the buffer when the address was cut, as the kernel says).
     */
    private void addressBack(long hostAddress, int produced, long guestAddress, int guestLength, long guestLengthAt) {
        int copied = Math.min(produced, guestLength);
        if (data.bigEndian() && copied >= 2) {
            swapFamily(hostAddress);
        }
        MemorySegment.copy(MemorySegment.ofAddress(hostAddress).reinterpret(SOCKADDR_MAX), 0, memory.segment(), guestAddress, copied);
        data.put32(guestLengthAt, produced);
    }

    /** The guest msghdr's size: seven fields, the first six word-sized (namelen padded). */
    private int msghdrSize() {
        return word == 8 ? 56 : 28;
    }

    /** struct mmsghdr: the msghdr, then an unsigned msg_len, padded to the word. */
    private int mmsghdrSize() {
        return word == 8 ? 64 : 32;
    }

    /**
     * Builds the host msghdr for a guest one: the name as a host sockaddr (room for the host to
     * fill in when {@code receiving}), the iovecs as host ones over guest memory, and the
     * control messages converted (sending) or room for them (receiving).
     */
    private long hostMessage(Scratch s, MemorySegment msg, long message, boolean receiving) {
        long name = data.word(message);
        long nameLength = data.u32(message + word);
        long iov = data.word(message + 2L * word);
        long iovCount = data.word(message + 3L * word);
        long control = data.word(message + 4L * word);
        long controlLength = data.word(message + 5L * word);
        if (iovCount > IOV_MAX || nameLength > SOCKADDR_MAX && !receiving || controlLength > 65536) {
            return err(Errno.EINVAL);
        }
        if (name != 0) {
            if (receiving) {
                memory.checkRange(name, nameLength, true);
                msg.set(ValueLayout.JAVA_LONG, 0, s.allocate(SOCKADDR_MAX).address());
                msg.set(ValueLayout.JAVA_INT, 8, SOCKADDR_MAX);
            } else {
                long in = addressIn(s, name, nameLength);
                if (in < 0) {
                    return in;
                }
                msg.set(ValueLayout.JAVA_LONG, 0, in);
                msg.set(ValueLayout.JAVA_INT, 8, (int) nameLength);
            }
        }
        msg.set(ValueLayout.JAVA_LONG, 16, hostIovecs(s, iov, iovCount, receiving).address());
        msg.set(ValueLayout.JAVA_LONG, 24, iovCount);
        if (control != 0 && controlLength > 0) {
            // host cmsghdrs (16 bytes, 8-aligned data) can take twice a 32-bit guest's room
            long room = word == 8 && !data.bigEndian() ? controlLength : controlLength * 2 + 64;
            MemorySegment hostControl = s.allocate(room);
            long used = receiving ? room : controlIn(control, controlLength, hostControl);
            msg.set(ValueLayout.JAVA_LONG, 32, hostControl.address());
            msg.set(ValueLayout.JAVA_LONG, 40, used);
        }
        return 0;
    }

    /** After recvmsg: the name, its length, the control messages and the flags back into the guest msghdr. */
    private void messageBack(MemorySegment msg, long message) {
        long name = data.word(message);
        if (name != 0) {
            addressBack(msg.get(ValueLayout.JAVA_LONG, 0), msg.get(ValueLayout.JAVA_INT, 8), name, (int) data.u32(message + word),
                    message + word);
        }
        int flags = msg.get(ValueLayout.JAVA_INT, 48);
        long control = data.word(message + 4L * word);
        long controlLength = data.word(message + 5L * word);
        long written = 0;
        if (control != 0 && controlLength > 0) {
            long hostControl = msg.get(ValueLayout.JAVA_LONG, 32);
            long hostLength = msg.get(ValueLayout.JAVA_LONG, 40);
            long[] result = controlOut(hostControl, hostLength, control, controlLength);
            written = result[0];
            if (result[1] != 0) {
                flags |= MSG_CTRUNC;
            }
        }
        data.putWord(message + 5L * word, written);
        data.put32(message + 6L * word, flags);
    }

    private int guestHeader() {
        return word == 8 ? 16 : 12;
    }

    private long guestAlign(long n) {
        return (n + word - 1) & -(long) word;
    }

    /** Guest control messages to host ones; the bytes used. */
    private long controlIn(long control, long length, MemorySegment host) {
        long at = 0;
        long out = 0;
        int header = guestHeader();
        while (at + header <= length) {
            long cmsgLength = data.word(control + at);
            if (cmsgLength < header || at + cmsgLength > length) {
                break;
            }
            int level = data.s32(control + at + word);
            int type = data.s32(control + at + word + 4);
            long payload = cmsgLength - header;
            host.set(ValueLayout.JAVA_LONG, out, 16 + payload);
            host.set(ValueLayout.JAVA_INT, out + 8, level);
            host.set(ValueLayout.JAVA_INT, out + 12, type);
            MemorySegment.copy(memory.segment(), control + at + header, host, out + 16, payload);
            if (data.bigEndian() && level == SOL_SOCKET) {
                // SCM_RIGHTS descriptors and SCM_CREDENTIALS' pid, uid and gid are ints
                swapInts(host.address() + out + 16, payload);
            }
            out += (16 + payload + 7) & ~7L;
            at += guestAlign(cmsgLength);
        }
        return out;
    }

    /**
     * Host control messages back to the guest's layout; descriptors received become the guest's.
     * Returns the bytes written and whether some did not fit.
     */
    private long[] controlOut(long hostControl, long hostLength, long control, long room) {
        MemorySegment host = MemorySegment.ofAddress(hostControl).reinterpret(Math.max(hostLength, 0));
        int header = guestHeader();
        long at = 0;
        long out = 0;
        boolean truncated = false;
        while (at + 16 <= hostLength) {
            long cmsgLength = host.get(ValueLayout.JAVA_LONG, at);
            if (cmsgLength < 16 || at + cmsgLength > hostLength) {
                break;
            }
            int level = host.get(ValueLayout.JAVA_INT, at + 8);
            int type = host.get(ValueLayout.JAVA_INT, at + 12);
            long payload = cmsgLength - 16;
            if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                for (long i = 0; i + 4 <= payload; i += 4) {
                    fds.add(host.get(ValueLayout.JAVA_INT, at + 16 + i));
                }
            }
            if (out + header + payload > room) {
                truncated = true;
            } else {
                data.putWord(control + out, header + payload);
                data.put32(control + out + word, level);
                data.put32(control + out + word + 4, type);
                if (data.bigEndian() && level == SOL_SOCKET) {
                    for (long i = 0; i + 4 <= payload; i += 4) {
                        data.put32(control + out + header + i, host.get(ValueLayout.JAVA_INT, at + 16 + i));
                    }
                } else {
                    MemorySegment.copy(host, at + 16, memory.segment(), control + out + header, payload);
                }
                out += guestAlign(header + payload);
            }
            at += (cmsgLength + 7) & ~7L;
        }
        return new long[] {Math.min(out, room), truncated ? 1 : 0};
    }

    /** SIGPIPE for a send on a closed connection, unless MSG_NOSIGNAL asks for the error alone. */
    private static long brokenPipe(LinuxThread thread, long result, int flags) {
        return (flags & MSG_NOSIGNAL) != 0 ? result : brokenPipe(thread, result);
    }
}
