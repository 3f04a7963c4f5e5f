package org.qemu.common.linux.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.qemu.common.linux.GuestData;

/**
 * Builds the process entry stack the way Linux's ELF loader does: from the top, the
 * executable's name (AT_EXECFN), the environment and argument strings, the platform string
 * and 16 random bytes; then, 16-byte aligned, argc, argv[], NULL, envp[], NULL, auxv pairs
 * ending in AT_NULL. Returns the initial stack pointer (pointing at argc).
 */
public final class InitialStack {
    /** One auxv entry; values of AT_PLATFORM, AT_RANDOM and AT_EXECFN are filled in here. */
    public record AuxEntry(int type, long value) {
    }

    private final GuestData data;
    private long cursor;

    public InitialStack(GuestData data, long stackTop) {
        this.data = data;
        this.cursor = stackTop;
    }

    private long pushBytes(byte[] bytes, boolean nulTerminated) {
        int length = bytes.length + (nulTerminated ? 1 : 0);
        cursor -= length;
        data.memory().write(cursor, bytes, 0, bytes.length);
        if (nulTerminated) {
            data.put8(cursor + bytes.length, 0);
        }
        return cursor;
    }

    private long pushString(String s) {
        return pushBytes(s.getBytes(StandardCharsets.UTF_8), true);
    }

    public long build(List<String> argv, List<String> envp, String execFn, String platform,
                      byte[] random16, List<AuxEntry> auxv) {
        int word = data.wordSize();
        cursor -= word; // a final NULL word above everything, as Linux leaves
        long execFnAddr = pushString(execFn);
        long[] envAddrs = new long[envp.size()];
        for (int i = envp.size() - 1; i >= 0; i--) {
            envAddrs[i] = pushString(envp.get(i));
        }
        long[] argAddrs = new long[argv.size()];
        for (int i = argv.size() - 1; i >= 0; i--) {
            argAddrs[i] = pushString(argv.get(i));
        }
        long platformAddr = platform == null ? 0 : pushString(platform);
        cursor &= ~15L;
        long randomAddr = pushBytes(random16, false);

        List<AuxEntry> all = new ArrayList<>(auxv);
        if (platform != null) {
            all.add(new AuxEntry(AuxvType.AT_PLATFORM, platformAddr));
        }
        all.add(new AuxEntry(AuxvType.AT_RANDOM, randomAddr));
        all.add(new AuxEntry(AuxvType.AT_EXECFN, execFnAddr));
        all.add(new AuxEntry(AuxvType.AT_NULL, 0));

        long words = 1 + argv.size() + 1 + envp.size() + 1 + 2L * all.size();
        cursor = (cursor - words * word) & ~15L;
        long sp = cursor;
        long p = sp;
        data.putWord(p, argv.size());
        p += word;
        for (long a : argAddrs) {
            data.putWord(p, a);
            p += word;
        }
        data.putWord(p, 0);
        p += word;
        for (long e : envAddrs) {
            data.putWord(p, e);
            p += word;
        }
        data.putWord(p, 0);
        p += word;
        for (AuxEntry entry : all) {
            data.putWord(p, entry.type());
            data.putWord(p + word, entry.value());
            p += 2L * word;
        }
        return sp;
    }
}
