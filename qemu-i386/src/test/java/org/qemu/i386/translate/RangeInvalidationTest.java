package org.qemu.i386.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;
import org.qemu.common.tcg.TranslationCache;
import org.qemu.i386.cpu.X86Cpu;

/**
 * {@link TranslationCache#invalidateRange}: a write kills the blocks whose instruction bytes it
 * overlaps and no others on the page. The lengths are the instructions' encodings (Intel SDM
 * vol. 2): {@code mov eax, imm32} b8+4 bytes, {@code ret} c3; the block at {@code SECOND} starts
 * 0x40 bytes further; the block at {@code STRADDLING} has its immediate's last two bytes on the
 * next page.
 */
class RangeInvalidationTest {
    private static final long PAGE = 0x08048000L;
    private static final long FIRST = PAGE + 0x10;
    private static final long SECOND = PAGE + 0x50;
    private static final long STRADDLING = PAGE + 0xffd;
    private static final long NEXT_PAGE = (PAGE >>> 12) + 1;

    private static final String MOV_EAX_RET = "b844332211c3";

    private HandAssembledCode code;
    private TranslationCache<X86Block> cache;

    @BeforeEach
    void load() {
        code = new HandAssembledCode(PAGE, 0x2000, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC)
                .load(FIRST, MOV_EAX_RET).load(SECOND, MOV_EAX_RET).load(STRADDLING, MOV_EAX_RET);
        cache = new TranslationCache<>(code.memory);
    }

    @AfterEach
    void close() {
        code.close();
    }

    private X86Block translated(long pc) {
        X86Block b = code.translate(pc);
        cache.insert(b);
        return b;
    }

    @Test
    void aWriteKillsOnlyTheBlockWhoseBytesItOverlaps() {
        X86Block first = translated(FIRST);
        X86Block second = translated(SECOND);
        // the last byte of the first block's ret
        assertThat(cache.invalidateRange(PAGE >>> 12, FIRST + 5, FIRST + 6)).as("other blocks stay on the page").isTrue();
        assertThat(first.isValid()).isFalse();
        assertThat(second.isValid()).isTrue();
        assertThat(cache.lookup(FIRST, X86Cpu.MODE_32)).isNull();
        assertThat(cache.lookup(SECOND, X86Cpu.MODE_32)).isSameAs(second);
    }

    @Test
    void bytesJustOutsideABlockLeaveIt() {
        X86Block first = translated(FIRST);
        X86Block second = translated(SECOND);
        assertThat(cache.invalidateRange(PAGE >>> 12, FIRST - 4, FIRST)).isTrue();
        assertThat(cache.invalidateRange(PAGE >>> 12, FIRST + 6, SECOND)).isTrue();
        assertThat(first.isValid()).isTrue();
        assertThat(second.isValid()).isTrue();
    }

    @Test
    void theLastBlockGoneLeavesThePageWithoutCode() {
        X86Block first = translated(FIRST);
        assertThat(cache.invalidateRange(PAGE >>> 12, FIRST + 1, FIRST + 5)).isFalse();
        assertThat(first.isValid()).isFalse();
    }

    @Test
    void aWriteOnTheNextPageKillsTheInstructionStraddlingIntoIt() {
        X86Block straddling = translated(STRADDLING);
        X86Block first = translated(FIRST);
        assertThat(straddling.lastPage).isEqualTo(NEXT_PAGE);
        // the next page's first two bytes are the immediate's last two
        assertThat(cache.invalidateRange(NEXT_PAGE, (NEXT_PAGE << 12) + 1, (NEXT_PAGE << 12) + 2)).isFalse();
        assertThat(straddling.isValid()).isFalse();
        assertThat(first.isValid()).isTrue();
        assertThat(cache.lookup(STRADDLING, X86Cpu.MODE_32)).isNull();
    }
}
