package org.qemu.i386.translate;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The block classes already defined, by their class file: a block translated again to the same
 * bytes (the same instructions at the same address) gets a new instance of the class it had
 * before instead of a new class.
 *
 * <p>Why: in the Linux boot most blocks die with their page, not with their code. A write to a
 * code page ({@code text_poke} patching a jump label a few bytes long) or a TLB flush of a user
 * page drops every block of the page, and the blocks that run again are translated to the same
 * ops and compiled to the same class file. A new hidden class costs its definition (about 0.3 ms
 * of the CPU thread), then runs in HotSpot's bytecode interpreter until C1 and C2 have compiled it
 * again; the old class's method is compiled already. Instances hold the ops (fields), so an old
 * class serves a new block exactly: its bytes say everything else.
 */
final class DefinedBlockClasses {
    /** Classes kept at most: a bound on what a guest that keeps generating new code can pin. */
    private static final int MAX_CLASSES = Integer.getInteger("qemu.tcg.kept-block-classes", 1 << 15);

    private record ClassBytes(byte[] bytes, int hash) {
        ClassBytes(byte[] bytes) {
            this(bytes, Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ClassBytes other && other.hash == hash && Arrays.equals(other.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Map<ClassBytes, MethodHandle> constructors = new HashMap<>();
    private final MethodType constructorType;
    private long reused;

    DefinedBlockClasses(MethodType constructorType) {
        this.constructorType = constructorType;
    }

    /** The constructor of the class {@code bytes} define: a class defined before, or a new hidden class in {@code lookup}'s package. */
    MethodHandle constructor(MethodHandles.Lookup lookup, byte[] bytes) throws ReflectiveOperationException {
        ClassBytes key = new ClassBytes(bytes);
        synchronized (this) {
            MethodHandle known = constructors.get(key);
            if (known != null) {
                reused++;
                return known;
            }
        }
        MethodHandles.Lookup hidden = lookup.defineHiddenClass(bytes, true);
        MethodHandle ctor = hidden.findConstructor(hidden.lookupClass(), constructorType);
        synchronized (this) {
            if (constructors.size() < MAX_CLASSES) {
                constructors.putIfAbsent(key, ctor);
            }
        }
        return ctor;
    }

    /** Blocks that got a class defined before (a measuring aid). */
    synchronized long reused() {
        return reused;
    }
}
