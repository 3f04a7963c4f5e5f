package org.qemu.i386.translate;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

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
 *
 * <p>Classes are held weakly: a hidden class must stay unloadable (a guest that keeps generating
 * new code would otherwise fill the metaspace). An entry lives as long as its class is loaded,
 * which is while any block instance of it lives and, after the last one died, until a
 * collection that unloads classes (with the serial collector the launcher picks, a full one):
 * the window in which a dead block's code comes back is the one reuse is for. The constructor
 * is kept beside the class ({@link ClassValue}), not in the map, as a method handle would hold
 * its class strongly.
 */
final class DefinedBlockClasses {
    /** Entries kept at most (their class files are the keys): a bound on what the map itself can hold. */
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

    /** A defined class, held weakly, with the class file it was defined from (to drop the entry once the class is gone). */
    private static final class DefinedClass extends WeakReference<Class<?>> {
        final ClassBytes key;

        DefinedClass(Class<?> c, ClassBytes key, ReferenceQueue<Class<?>> unloaded) {
            super(c, unloaded);
            this.key = key;
        }
    }

    private final Map<ClassBytes, DefinedClass> defined = new HashMap<>();
    private final ReferenceQueue<Class<?>> unloaded = new ReferenceQueue<>();
    private final MethodType constructorType;
    /** The lookup the classes were defined in: the constructors of classes met again are looked up through it. */
    private volatile MethodHandles.Lookup definer;
    private final ClassValue<MethodHandle> constructors = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                return MethodHandles.privateLookupIn(type, definer).findConstructor(type, constructorType);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("block class without its constructor", e);
            }
        }
    };
    private long reused;
    private long forgotten;

    DefinedBlockClasses(MethodType constructorType) {
        this.constructorType = constructorType;
    }

    /**
     * A new instance, made from {@code fields}, of the class {@code bytes} define: a class defined
     * before and still loaded (through its constructor), or a new hidden class in {@code lookup}'s
     * package, whose static initializer makes the instance (see {@link #emitInitializer}).
     */
    Object instantiate(MethodHandles.Lookup lookup, byte[] bytes, Object[] fields) throws Throwable {
        definer = lookup;
        ClassBytes key = new ClassBytes(bytes);
        synchronized (this) {
            forgetUnloaded();
            DefinedClass known = defined.get(key);
            Class<?> c = known == null ? null : known.get();
            if (c != null) {
                reused++;
                return constructors.get(c).invoke(fields);
            }
        }
        Object made;
        Class<?> c;
        synchronized (DefinedBlockClasses.class) {
            handoff = fields;
            try {
                c = lookup.defineHiddenClass(bytes, true).lookupClass();
                made = handoff;
            } finally {
                handoff = null;
            }
        }
        if (made == fields || made == null || made.getClass() != c) {
            throw new IllegalStateException("block class " + c.getName() + " made no instance of itself as it was initialized");
        }
        synchronized (this) {
            DefinedClass old = defined.get(key);
            if (defined.size() < MAX_CLASSES || old != null) {
                if (old == null || old.get() == null) {
                    defined.put(key, new DefinedClass(c, key, unloaded));
                }
            }
        }
        return made;
    }

    private static final String SELF = DefinedBlockClasses.class.getName().replace('.', '/');

    /**
     * Fields on the way into, then the instance on the way out of, a new class's initializer;
     * guarded by the class's lock, which {@link #instantiate} holds while it defines a class (the
     * initializer runs on that thread, inside the definition). A lock, not a thread-local: the
     * definitions of one JVM are few and short, and a cold {@code ThreadLocal} costs more calls
     * in HotSpot's interpreter than an uncontended lock.
     */
    private static Object handoff;

    /** Called by a new block class's initializer: the fields its first instance is made from. */
    static Object[] handedFields() {
        return (Object[]) handoff;
    }

    /** Called by a new block class's initializer with its first instance. */
    static void handOver(Object instance) {
        handoff = instance;
    }

    /**
     * Emits a new block class's static initializer into {@code cw}, the class file of block class
     * {@code name} whose constructor takes the field array: it makes the first instance itself,
     * from the fields {@link #instantiate} handed over, and hands it back.
     *
     * <p>Why: the alternative, {@code findConstructor} on the new class and an {@code invoke} of
     * the handle, builds a direct method handle and adapts it to the call site for every class,
     * all of it {@code java.lang.invoke} code that runs in HotSpot's interpreter while the
     * translator is cold (the launcher keeps that package interpreted fifty times longer, for the
     * FFM link's sake): about a tenth of a block compile's time on the guest thread, measured with
     * a stack sampler on sha256sum. The initializer runs on the defining thread, inside
     * {@code defineHiddenClass}, before any other thread can see the class.
     */
    static void emitInitializer(ClassWriter cw, String name) {
        MethodVisitor clinit = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
        clinit.visitCode();
        clinit.visitTypeInsn(Opcodes.NEW, name);
        clinit.visitInsn(Opcodes.DUP);
        clinit.visitMethodInsn(Opcodes.INVOKESTATIC, SELF, "handedFields", "()[Ljava/lang/Object;", false);
        clinit.visitMethodInsn(Opcodes.INVOKESPECIAL, name, "<init>", "([Ljava/lang/Object;)V", false);
        clinit.visitMethodInsn(Opcodes.INVOKESTATIC, SELF, "handOver", "(Ljava/lang/Object;)V", false);
        clinit.visitInsn(Opcodes.RETURN);
        clinit.visitMaxs(0, 0);
        clinit.visitEnd();
    }

    /** Drops the entries of classes that were unloaded. */
    private void forgetUnloaded() {
        for (Object r; (r = unloaded.poll()) != null; ) {
            DefinedClass gone = (DefinedClass) r;
            if (defined.get(gone.key) == gone) {
                defined.remove(gone.key);
                forgotten++;
            }
        }
    }

    /** Blocks that got a class defined before (a measuring aid). */
    synchronized long reused() {
        return reused;
    }

    /** Entries whose class was unloaded (a measuring aid). */
    synchronized long forgotten() {
        return forgotten;
    }

    /** Entries held now. */
    synchronized int size() {
        forgetUnloaded();
        return defined.size();
    }
}
