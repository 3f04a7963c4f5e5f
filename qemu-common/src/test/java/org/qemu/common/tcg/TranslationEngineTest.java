package org.qemu.common.tcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;

/** The target-neutral engine: cache lookup, page invalidation on code writes, links, both execution tiers. */
class TranslationEngineTest {
    private final GuestMemory memory = new GuestMemory(24);

    @AfterEach
    void close() {
        memory.close();
    }

    /** A toy CPU: an accumulator and a log of the ops that ran. */
    public static final class ToyCpu implements OpContext {
        public int accumulator;
        public int faultingOp = -1;
        public final List<String> log = new ArrayList<>();

        @Override
        public void recordFaultingOp(int opIndex) {
            faultingOp = opIndex;
        }
    }

    /** The toy target's op interface, with a concrete context type as real targets declare it. */
    public interface ToyOp extends GuestOp<ToyCpu> {
        @Override
        void exec(ToyCpu cpu);
    }

    record Add(int amount) implements ToyOp {
        @Override
        public void exec(ToyCpu cpu) {
            cpu.accumulator += amount;
            cpu.log.add("add" + amount);
        }
    }

    record Fail(String why) implements ToyOp {
        @Override
        public void exec(ToyCpu cpu) {
            throw new IllegalStateException(why);
        }
    }

    static final class Block extends TranslationBlock {
        Block(long pc, long firstPage, long lastPage) {
            super(pc, 0, firstPage, lastPage);
        }
    }

    @Test
    void lookupFindsInsertedBlocksByPcAndFlags() {
        TranslationCache<Block> cache = new TranslationCache<>(memory);
        Block b = new Block(0x1234, 1, 1);
        cache.insert(b);
        assertThat(cache.lookup(0x1234, 0)).isSameAs(b);
        assertThat(cache.lookup(0x1234, 1)).isNull();
        assertThat(cache.lookup(0x1238, 0)).isNull();
        assertThat(cache.translations()).isEqualTo(1);
    }

    @Test
    void aGuestWriteToTranslatedCodeDropsExactlyThatPagesBlocks() {
        memory.map(0x1000, 0x3000, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
        TranslationCache<Block> cache = new TranslationCache<>(memory);
        Block onPage1 = new Block(0x1010, 1, 1);
        Block spanning = new Block(0x1ff0, 1, 2);
        Block onPage3 = new Block(0x3000, 3, 3);
        cache.insert(onPage1);
        cache.insert(spanning);
        cache.insert(onPage3);

        memory.write8(0x2004, 0x90); // page 2: only the block reaching into it dies
        assertThat(spanning.isValid()).isFalse();
        assertThat(cache.lookup(0x1ff0, 0)).isNull();
        assertThat(cache.lookup(0x1010, 0)).isSameAs(onPage1);
        assertThat(cache.lookup(0x3000, 0)).isSameAs(onPage3);
        assertThat(cache.invalidations()).isEqualTo(1);

        memory.unmap(0x3000, 0x1000); // unmapping code drops it too
        assertThat(onPage3.isValid()).isFalse();
    }

    @Test
    void linksToDeadBlocksAreNotFollowed() {
        Block a = new Block(0x100, 0, 0);
        Block b = new Block(0x200, 0, 0);
        a.link(b);
        assertThat(a.successor(0x200, 0)).isSameAs(b);
        assertThat(a.successor(0x300, 0)).isNull();
        b.invalidate();
        assertThat(a.successor(0x200, 0)).isNull();
    }

    @Test
    void interpretedAndCompiledSequencesRunTheOpsInOrder() {
        ToyOp[] ops = {new Add(1), new Add(20), new Add(300)};
        ToyCpu interpreted = new ToyCpu();
        new InterpretedSequence<ToyCpu>(ops).run(interpreted);
        ToyCpu compiled = new ToyCpu();
        OpSequence<ToyCpu> sequence = new SequenceCompiler<>(ToyOp.class, ToyCpu.class).compile(ops);
        sequence.run(compiled);
        assertThat(interpreted.accumulator).isEqualTo(321);
        assertThat(compiled.accumulator).isEqualTo(321);
        assertThat(compiled.log).containsExactly("add1", "add20", "add300");
        assertThat(sequence.getClass().isHidden()).isTrue();
    }

    @Test
    void bothTiersReportWhichOpFaulted() {
        ToyOp[] ops = {new Add(1), new Add(2), new Fail("boom"), new Add(4)};
        ToyCpu interpreted = new ToyCpu();
        assertThatThrownBy(() -> new InterpretedSequence<ToyCpu>(ops).run(interpreted)).hasMessage("boom");
        assertThat(interpreted.faultingOp).isEqualTo(2);
        assertThat(interpreted.accumulator).isEqualTo(3);
        ToyCpu compiled = new ToyCpu();
        OpSequence<ToyCpu> sequence = new SequenceCompiler<>(ToyOp.class, ToyCpu.class).compile(ops);
        assertThatThrownBy(() -> sequence.run(compiled)).hasMessage("boom");
        assertThat(compiled.faultingOp).isEqualTo(2);
        assertThat(compiled.accumulator).isEqualTo(3);
    }
}
