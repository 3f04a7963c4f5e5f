package org.qemu.common.gdbstub;

import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One debugger connection: answers GDB's packets while the guest is stopped, and while it
 * runs waits for the next stop, an interrupt (0x03) or the guest's end. Malformed packets get
 * an error reply, unknown ones the empty reply; a connection that goes away lets the guest
 * run on.
 */
final class GdbSession {
    /** How long an interrupt waits for a CPU to reach an instruction before the stop is declared anyway. */
    private static final long FORCE_STOP_MILLIS = 300;
    private static final HexFormat HEX = HexFormat.of();

    /** The guest ended: {@code W} (exit status) or {@code X} (killed by a signal). */
    record ExitEvent(int status, int signal, CountDownLatch sent) {
    }

    private final DebugTarget target;
    private final ExecutionGate gate;
    private final PacketChannel channel;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private boolean running;
    private long stopDeadline = Long.MAX_VALUE;
    private long generalThread;
    private long continueThread;

    GdbSession(DebugTarget target, ExecutionGate gate, PacketChannel channel) {
        this.target = target;
        this.gate = gate;
        this.channel = channel;
    }

    /** Queues the guest's end; the serving thread sends it. */
    void guestExited(ExitEvent event) {
        events.add(event);
    }

    /** Serves the connection until the debugger detaches, kills, disconnects or the guest ends. */
    void serve() {
        gate.engage();
        gate.setStopListener(events::add);
        Thread reader = Thread.ofPlatform().daemon().name("gdbstub-reader").start(() -> {
            while (true) {
                PacketChannel.Incoming in = channel.read();
                events.add(in);
                if (in instanceof PacketChannel.Closed) {
                    return;
                }
            }
        });
        if (!gate.isStopped()) {
            // Attaching stops the guest, as QEMU does, so the first '?' has a stop to report.
            gate.requestStop(ExecutionGate.SIGTRAP);
            waitForStop(1000);
            gate.forceStop(ExecutionGate.SIGTRAP);
        }
        events.removeIf(e -> e instanceof ExecutionGate.StopEvent);
        adoptStopThread(gate.currentStop());
        try {
            loop();
        } catch (IOException e) {
            // the connection broke: handled as a disconnect below
        } finally {
            gate.setStopListener(e -> { });
            gate.release();
            reader.interrupt();
        }
    }

    private void waitForStop(long millis) {
        long end = System.currentTimeMillis() + millis;
        while (!gate.isStopped() && System.currentTimeMillis() < end) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void loop() throws IOException {
        while (true) {
            Object event;
            try {
                event = running ? events.poll(50, TimeUnit.MILLISECONDS) : events.take();
            } catch (InterruptedException e) {
                return;
            }
            if (running && System.currentTimeMillis() > stopDeadline) {
                gate.forceStop(ExecutionGate.SIGINT);
                stopDeadline = Long.MAX_VALUE;
            }
            switch (event) {
                case null -> { }
                case PacketChannel.Closed c -> {
                    return;
                }
                case PacketChannel.Interrupt i -> {
                    if (running) {
                        gate.requestStop(ExecutionGate.SIGINT);
                        stopDeadline = System.currentTimeMillis() + FORCE_STOP_MILLIS;
                    }
                }
                case ExecutionGate.StopEvent stop -> {
                    if (running) {
                        running = false;
                        stopDeadline = Long.MAX_VALUE;
                        adoptStopThread(stop);
                        channel.send(stopReply(stop));
                    }
                }
                case ExitEvent exit -> {
                    try {
                        channel.send(exit.signal() != 0 ? String.format("X%02x", exit.signal()) : String.format("W%02x", exit.status() & 0xff));
                    } finally {
                        exit.sent().countDown();
                    }
                    return;
                }
                case PacketChannel.Packet p -> {
                    if (!running && !handle(p.payload())) {
                        return;
                    }
                }
                default -> { }
            }
        }
    }

    private void adoptStopThread(ExecutionGate.StopEvent stop) {
        DebugTarget.DebugThread t = stop == null || stop.cpu() == null ? null : target.threadOf(stop.cpu());
        if (t == null) {
            List<DebugTarget.DebugThread> all = target.threads();
            t = all.isEmpty() ? null : all.get(0);
        }
        if (t != null) {
            generalThread = t.id();
        }
    }

    private String stopReply(ExecutionGate.StopEvent stop) {
        String reply = String.format("T%02xthread:%x;", stop == null ? ExecutionGate.SIGTRAP : stop.signal(), generalThread);
        return stop != null && stop.watch() != null ? reply + stop.watch() + ";" : reply;
    }

    /** Handles one packet; false ends the session (detach, kill). */
    boolean handle(String packet) throws IOException {
        String reply;
        try {
            reply = reply(packet);
        } catch (RuntimeException e) {
            // A malformed argument (bad hex, missing comma, ...): EINVAL, as QEMU answers.
            reply = "E22";
        }
        if (reply == DETACHED) {
            return false;
        }
        if (reply != NO_REPLY) {
            channel.send(reply);
        }
        return true;
    }

    /** Sentinels compared by identity: nothing to send now (already sent, or the stop reply comes later). */
    private static final String NO_REPLY = new String("no reply");
    /** Sentinel: the session ends (detach, kill). */
    private static final String DETACHED = new String("detached");

    private String reply(String p) throws IOException {
        if (p.isEmpty()) {
            return "";
        }
        char command = p.charAt(0);
        String args = p.substring(1);
        switch (command) {
            case '?':
                adoptStopThread(gate.currentStop());
                return stopReply(gate.currentStop());
            case 'g':
                return readAllRegisters();
            case 'G':
                return writeAllRegisters(args);
            case 'p':
                return readRegister(Integer.parseInt(args, 16));
            case 'P': {
                int eq = args.indexOf('=');
                DebugRegisters regs = registersOf(generalThread);
                return regs.write(Integer.parseInt(args.substring(0, eq), 16), HEX.parseHex(args.substring(eq + 1))) ? "OK" : "E22";
            }
            case 'm': {
                int comma = args.indexOf(',');
                long address = Long.parseUnsignedLong(args.substring(0, comma), 16);
                int length = Math.min(Integer.parseInt(args.substring(comma + 1), 16), PacketChannel.MAX_PACKET / 2);
                try {
                    return HEX.formatHex(target.readMemory(address, length));
                } catch (IllegalArgumentException e) {
                    return "E14";
                }
            }
            case 'M':
            case 'X': {
                int comma = args.indexOf(',');
                int colon = args.indexOf(':');
                long address = Long.parseUnsignedLong(args.substring(0, comma), 16);
                int length = Integer.parseInt(args.substring(comma + 1, colon), 16);
                byte[] data = command == 'M' ? HEX.parseHex(args.substring(colon + 1))
                        : PacketChannel.unescapeBinary(args.substring(colon + 1));
                if (data.length != length) {
                    return "E22";
                }
                if (length == 0) {
                    return "OK";
                }
                try {
                    target.writeMemory(address, data);
                    return "OK";
                } catch (IllegalArgumentException e) {
                    return "E14";
                }
            }
            case 'Z':
            case 'z':
                return breakpoint(command == 'Z', args);
            case 'c':
            case 'C':
                return resume(null, true);
            case 's':
            case 'S':
                return resume(threadForResume(continueThread), false);
            case 'v':
                return verbose(p);
            case 'H': {
                long id = parseThread(args.substring(1));
                if (id > 0 && thread(id) == null) {
                    return "E22";
                }
                if (args.charAt(0) == 'g') {
                    generalThread = id > 0 ? id : generalThread;
                } else {
                    continueThread = id;
                }
                return "OK";
            }
            case 'T':
                return thread(parseThread(args)) != null ? "OK" : "E22";
            case 'q':
            case 'Q':
                return query(p);
            case 'D':
                channel.send("OK");
                return DETACHED;
            case 'k':
                target.kill();
                return DETACHED;
            default:
                return "";
        }
    }

    private String verbose(String p) throws IOException {
        if (p.equals("vCont?")) {
            return "vCont;c;C;s;S;t";
        }
        if (p.startsWith("vCont;")) {
            Object stepCpu = null;
            boolean othersRun = false;
            boolean any = false;
            for (String action : p.substring(6).split(";")) {
                String[] parts = action.split(":");
                char kind = parts[0].charAt(0);
                long id = parts.length > 1 ? parseThread(parts[1]) : -1;
                switch (kind) {
                    case 's', 'S' -> {
                        if (stepCpu == null) {
                            stepCpu = threadForResume(id);
                        }
                        any = true;
                    }
                    case 'c', 'C' -> {
                        othersRun = true;
                        any = true;
                    }
                    case 't' -> { }
                    default -> {
                        return "E22";
                    }
                }
            }
            if (!any) {
                return "OK";
            }
            return resume(stepCpu, othersRun);
        }
        if (p.startsWith("vKill")) {
            channel.send("OK");
            target.kill();
            return DETACHED;
        }
        return "";
    }

    private String query(String p) {
        if (p.startsWith("qSupported")) {
            return "PacketSize=" + Integer.toHexString(PacketChannel.MAX_PACKET)
                    + ";qXfer:features:read+;vContSupported+;QStartNoAckMode+";
        }
        if (p.equals("QStartNoAckMode")) {
            // The OK still goes out under acknowledgement; only then do both sides stop.
            try {
                channel.send("OK");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            channel.disableAcks();
            return NO_REPLY;
        }
        if (p.startsWith("qXfer:features:read:")) {
            String[] parts = p.substring("qXfer:features:read:".length()).split(":");
            if (!parts[0].equals("target.xml") || parts.length != 2) {
                return "E00";
            }
            String[] range = parts[1].split(",");
            int offset = Integer.parseInt(range[0], 16);
            int length = Integer.parseInt(range[1], 16);
            String xml = target.description().toXml();
            if (offset >= xml.length()) {
                return "l";
            }
            int end = Math.min(xml.length(), offset + Math.min(length, PacketChannel.MAX_PACKET / 2));
            return (end == xml.length() ? "l" : "m") + PacketChannel.escapeBinary(xml.substring(offset, end));
        }
        if (p.equals("qfThreadInfo")) {
            StringBuilder b = new StringBuilder("m");
            for (DebugTarget.DebugThread t : target.threads()) {
                if (b.length() > 1) {
                    b.append(',');
                }
                b.append(Long.toHexString(t.id()));
            }
            return b.length() > 1 ? b.toString() : "l";
        }
        if (p.equals("qsThreadInfo")) {
            return "l";
        }
        if (p.equals("qC")) {
            return "QC" + Long.toHexString(generalThread);
        }
        if (p.startsWith("qAttached")) {
            return "1";
        }
        return "";
    }

    private String resume(Object stepCpu, boolean othersRun) {
        gate.resume(stepCpu, othersRun);
        running = true;
        return NO_REPLY;
    }

    /** The CPU a step applies to: the named thread, else the current one. */
    private Object threadForResume(long id) {
        DebugTarget.DebugThread t = id > 0 ? thread(id) : null;
        if (t == null) {
            t = thread(generalThread);
        }
        if (t == null) {
            List<DebugTarget.DebugThread> all = target.threads();
            t = all.isEmpty() ? null : all.get(0);
        }
        return t == null ? null : t.cpu();
    }

    private String breakpoint(boolean insert, String args) {
        String[] parts = args.split(",");
        int type = Integer.parseInt(parts[0]);
        long address = Long.parseUnsignedLong(parts[1], 16);
        Integer.parseInt(parts[2].split(";")[0], 16); // the kind must be there and be hex, though every kind is handled alike
        if (type > 4) {
            return ""; // unknown kinds: the empty reply says "not supported"
        }
        if (type > 1) {
            Watchpoints watchpoints = gate.watchpoints();
            if (watchpoints == null) {
                return ""; // this target's memory cannot be watched (KVM runs the guest)
            }
            long length = Long.parseLong(parts[2].split(";")[0], 16);
            if (insert) {
                watchpoints.add(type, address, length);
                return "OK";
            }
            return watchpoints.remove(type, address, length) ? "OK" : "E22";
        }
        // The pc is checked before every instruction, so software and hardware breakpoints are the same thing here.
        if (insert) {
            gate.addBreakpoint(address);
        } else {
            gate.removeBreakpoint(address);
        }
        return "OK";
    }

    private String readAllRegisters() {
        DebugRegisters regs = registersOf(generalThread);
        StringBuilder b = new StringBuilder();
        for (TargetDescription.Register r : target.description().registers()) {
            b.append(HEX.formatHex(regs.read(r.regnum())));
        }
        return b.toString();
    }

    private String writeAllRegisters(String hex) {
        DebugRegisters regs = registersOf(generalThread);
        byte[] all = HEX.parseHex(hex);
        int offset = 0;
        for (TargetDescription.Register r : target.description().registers()) {
            if (offset + r.bytes() > all.length) {
                break;
            }
            regs.write(r.regnum(), java.util.Arrays.copyOfRange(all, offset, offset + r.bytes()));
            offset += r.bytes();
        }
        return "OK";
    }

    private String readRegister(int regnum) {
        byte[] value = registersOf(generalThread).read(regnum);
        return value == null ? "E00" : HEX.formatHex(value);
    }

    private DebugRegisters registersOf(long id) {
        DebugTarget.DebugThread t = thread(id);
        if (t == null) {
            List<DebugTarget.DebugThread> all = target.threads();
            if (all.isEmpty()) {
                throw new IllegalStateException("no threads");
            }
            t = all.get(0);
        }
        return t.registers();
    }

    private DebugTarget.DebugThread thread(long id) {
        for (DebugTarget.DebugThread t : target.threads()) {
            if (t.id() == id) {
                return t;
            }
        }
        return null;
    }

    /** A thread id: hex, "0" (any) or "-1" (all) — both returned as 0 or -1. */
    private static long parseThread(String text) {
        if (text.equals("-1")) {
            return -1;
        }
        return Long.parseUnsignedLong(text, 16);
    }
}
