package org.qemu.ppc.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;

/**
 * Fixed-point instructions against hand-checked results. The encodings come from binutils;
 * the expected values follow the rules quoted from the Power ISA (Book I, chapter 3).
 */
class IntegerInstructionTest {

    private static SnippetRunner run(String asm) {
        SnippetRunner r = new SnippetRunner(asm);
        assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
        return r;
    }

    @Test
    void carryChainAddsSixtyFourBitValues() {
        // addc: CA = carry out of bit 0; adde: RT = RA + RB + CA.  0x1_FFFFFFFF + 0x0_00000001 = 0x2_00000000.
        try (SnippetRunner r = run("li r3,1\n li r4,-1\n li r5,0\n li r6,1\n addc r8,r4,r6\n adde r7,r3,r5")) {
            assertThat(r.gpr(8)).isZero();
            assertThat(r.gpr(7)).isEqualTo(2);
            assertThat(r.state.xerCa).isZero(); // adde 1+0+1 has no carry out
        }
    }

    @Test
    void addoSetsOverflowStickySummaryAndCr0() {
        // 0x7fffffff + 1 overflows: OV=1, SO=1; Rc=1 records LT (negative result) and SO in CR0.
        try (SnippetRunner r = run("lis r4,0x7fff\n ori r4,r4,0xffff\n li r5,1\n addo. r3,r4,r5\n li r6,1\n li r7,1\n addo r8,r6,r7")) {
            assertThat(r.gpr(3)).isEqualTo(0x80000000);
            assertThat(r.state.cr >>> 28).isEqualTo(0b1001);
            assertThat(r.state.xerOv).isZero(); // the second addo did not overflow: OV cleared...
            assertThat(r.state.xerSo).isEqualTo(1); // ...but SO stays set until mcrxr or mtxer
        }
    }

    @Test
    void subtractFromCarryMeansNoBorrow() {
        // subfc RT = RB - RA; CA = 1 when there is no borrow (RA <= RB unsigned).
        try (SnippetRunner r = run("li r3,3\n li r4,5\n subfc r5,r3,r4\n mfxer r6\n subfc r7,r4,r3\n mfxer r8")) {
            assertThat(r.gpr(5)).isEqualTo(2);
            assertThat(r.gpr(6) & 0x20000000).isNotZero();
            assertThat(r.gpr(7)).isEqualTo(-2);
            assertThat(r.gpr(8) & 0x20000000).isZero();
        }
    }

    @Test
    void shiftRightAlgebraicCarriesOnlyForNegativeInexactResults() {
        // srawi: CA=1 iff RS is negative and any 1 bits are shifted out.
        try (SnippetRunner r = run("li r3,-5\n srawi r4,r3,1\n mfxer r5\n li r3,-4\n srawi r6,r3,1\n mfxer r7\n li r3,5\n li r8,40\n sraw r9,r3,r8\n mfxer r10")) {
            assertThat(r.gpr(4)).isEqualTo(-3);
            assertThat(r.gpr(5) & 0x20000000).isNotZero();
            assertThat(r.gpr(6)).isEqualTo(-2);
            assertThat(r.gpr(7) & 0x20000000).isZero();
            assertThat(r.gpr(9)).isZero(); // shift amount >= 32 gives the sign
            assertThat(r.gpr(10) & 0x20000000).isZero();
        }
    }

    @Test
    void rotateAndMaskInstructions() {
        // rlwinm r3,r4,8,24,31 extracts the top byte; mb > me wraps the mask: MASK(28,3) = 0xF000000F.
        try (SnippetRunner r = run("lis r4,0x1234\n ori r4,r4,0x5678\n rlwinm r3,r4,8,24,31\n rlwinm r5,r4,0,28,3\n"
                + " lis r6,0xaaaa\n ori r6,r6,0xaaaa\n rlwimi r6,r4,16,8,15\n li r7,4\n rlwnm r8,r4,r7,0,31\n rlwinm. r9,r4,0,0,0")) {
            assertThat(r.gpr(3)).isEqualTo(0x12);
            assertThat(r.gpr(5)).isEqualTo(0x10000008);
            assertThat(r.gpr(6)).isEqualTo(0xaa78aaaa); // byte 1 of rotl(0x12345678,16)=0x56781234 is 0x78
            assertThat(r.gpr(8)).isEqualTo(0x23456781);
            assertThat(r.gpr(9)).isZero();
            assertThat(r.state.cr >>> 28).isEqualTo(0b0010); // EQ
        }
    }

    @Test
    void countLeadingZerosAndSignExtension() {
        try (SnippetRunner r = run("li r3,0\n cntlzw r4,r3\n li r3,1\n cntlzw r5,r3\n li r3,0x80\n extsb r6,r3\n li r3,0x7fff\n addi r3,r3,1\n extsh r7,r3")) {
            assertThat(r.gpr(4)).isEqualTo(32);
            assertThat(r.gpr(5)).isEqualTo(31);
            assertThat(r.gpr(6)).isEqualTo(-128);
            assertThat(r.gpr(7)).isEqualTo(-32768);
        }
    }

    @Test
    void signedAndUnsignedCompares() {
        // cmpw -1,1 -> LT; cmplw 0xffffffff,1 -> GT; both copy SO into the field.
        try (SnippetRunner r = run("li r3,-1\n li r4,1\n cmpw cr2,r3,r4\n cmplw cr3,r3,r4\n cmpwi cr4,r4,1\n mfcr r5")) {
            assertThat((r.gpr(5) >>> 20) & 0xf).isEqualTo(8);
            assertThat((r.gpr(5) >>> 16) & 0xf).isEqualTo(4);
            assertThat((r.gpr(5) >>> 12) & 0xf).isEqualTo(2);
        }
    }

    @Test
    void multiplyHighAndDivide() {
        try (SnippetRunner r = run("li r3,-2\n li r4,3\n mulhw r5,r3,r4\n li r3,-1\n li r4,2\n mulhwu r6,r3,r4\n"
                + " li r3,-7\n divw r7,r3,r4\n li r3,-2\n divwu r8,r3,r4\n lis r3,1\n mullwo r9,r3,r3\n mfxer r10\n li r4,0\n divwo r11,r3,r4\n")) {
            assertThat(r.gpr(5)).isEqualTo(-1);
            assertThat(r.gpr(6)).isEqualTo(1);
            assertThat(r.gpr(7)).isEqualTo(-3); // truncation toward zero
            assertThat(r.gpr(8)).isEqualTo(0x7fffffff);
            assertThat(r.gpr(9)).isZero(); // 2^32 truncated
            assertThat(r.gpr(10) & 0xc0000000).isEqualTo(0xc0000000); // OV and SO
            assertThat(r.state.xerOv).isEqualTo(1); // division by zero with OE=1
        }
    }

    @Test
    void conditionRegisterLogicAndMoves() {
        // CR bit n is ISA-numbered: 0-3 field 0 (LT GT EQ SO), 4-7 field 1, ... crset (creqv b,b,b) sets bit 3,
        // crclr (crxor) clears bit 6, cror 8,2,3 sets CR2.LT from EQ|SO; mcrf copies a field; mtcrf 0x01 touches field 7 only.
        try (SnippetRunner r = run("li r3,1\n cmpwi cr0,r3,1\n creqv 6,6,6\n crxor 6,6,6\n creqv 3,3,3\n cror 8,2,3\n mcrf cr3,cr0\n"
                + " li r4,0x5\n mtcrf 0x01,r4\n mfcr r5\n mtxer r3\n lis r6,0xe000\n mtxer r6\n mcrxr cr5\n mfxer r7\n mfcr r8")) {
            int cr = r.gpr(5);
            assertThat(cr >>> 28).isEqualTo(0b0011); // EQ from the compare, SO bit set by creqv
            assertThat((cr >>> 24) & 0xf).isEqualTo(0b0000); // CR1 bit 6 set then cleared
            assertThat((cr >>> 20) & 0xf).isEqualTo(0b1000);
            assertThat((cr >>> 16) & 0xf).isEqualTo(0b0011);
            assertThat(cr & 0xf).isEqualTo(5);
            assertThat((r.gpr(8) >>> 8) & 0xf).isEqualTo(0b1110); // mcrxr: SO OV CA 0
            assertThat(r.gpr(7)).isZero(); // and clears them
        }
    }

    @Test
    void countedLoopWithBdnzAndLinkRegister() {
        // Sum 1..10 with CTR; bl/blr round trip through LR.
        try (SnippetRunner r = run("li r3,0\n li r4,10\n mtctr r4\n1: mfctr r5\n add r3,r3,r5\n bdnz 1b\n bl 2f\n b 3f\n2: li r6,77\n blr\n3: nop")) {
            assertThat(r.gpr(3)).isEqualTo(55);
            assertThat(r.gpr(6)).isEqualTo(77);
            assertThat(r.state.ctr).isZero();
        }
    }

    @Test
    void branchConditionalForms() {
        // bdnzt: decrement CTR, branch if CTR != 0 AND cond true; beq- with CR bit; bcctr to a computed target.
        try (SnippetRunner r = run("li r3,0\n li r4,3\n mtctr r4\n cmpw r4,r4\n1: addi r3,r3,1\n bdnzt eq,1b\n"
                + " li r5,1\n cmpwi cr1,r5,2\n blt cr1,2f\n li r5,99\n2: bl 4f\n4: mflr r6\n addi r6,r6,20\n mtctr r6\n bctr\n li r5,98\n li r7,42")) {
            assertThat(r.gpr(3)).isEqualTo(3);
            assertThat(r.gpr(5)).isEqualTo(1);
            assertThat(r.gpr(7)).isEqualTo(42);
        }
    }

    @Test
    void loadStoreMultipleAndString() {
        try (SnippetRunner r = run("lis r10,2\n li r28,1\n li r29,2\n li r30,3\n li r31,4\n stmw r28,0(r10)\n li r28,0\n li r31,0\n lmw r28,0(r10)\n"
                + " lis r3,0x4142\n ori r3,r3,0x4344\n lis r4,0x4546\n ori r4,r4,0x4700\n stswi r3,r10,7\n lswi r5,r10,7\n"
                + " li r9,5\n mtxer r9\n addi r11,r10,64\n li r12,0\n stswx r3,r11,r12\n lswx r13,r11,r12\n lbz r15,69(r10)\n lbz r16,4(r10)")) {
            assertThat(r.gpr(28)).isEqualTo(1);
            assertThat(r.gpr(31)).isEqualTo(4);
            assertThat(r.gpr(5)).isEqualTo(0x41424344);
            assertThat(r.gpr(6)).isEqualTo(0x45464700); // last register zero-filled on the right
            assertThat(r.gpr(13)).isEqualTo(0x41424344);
            assertThat(r.gpr(14)).isEqualTo(0x45000000);
            assertThat(r.gpr(15)).isZero(); // stswx stored only 5 bytes
            assertThat(r.gpr(16)).isEqualTo(0x45);
        }
    }

    @Test
    void bigEndianLoadsStoresAndByteReversal() {
        try (SnippetRunner r = run("lis r10,2\n lis r3,0x1122\n ori r3,r3,0x3344\n stw r3,0(r10)\n lbz r4,0(r10)\n lhz r5,2(r10)\n"
                + " lwbrx r6,0,r10\n li r7,-2\n sth r7,8(r10)\n lha r8,8(r10)\n lhz r9,8(r10)\n stwu r3,16(r10)\n lhbrx r11,0,r10")) {
            assertThat(r.gpr(4)).isEqualTo(0x11);
            assertThat(r.gpr(5)).isEqualTo(0x3344);
            assertThat(r.gpr(6)).isEqualTo(0x44332211);
            assertThat(r.gpr(8)).isEqualTo(-2);
            assertThat(r.gpr(9)).isEqualTo(0xfffe);
            assertThat(r.gpr(10)).isEqualTo(0x20010); // update form wrote EA back
            assertThat(r.gpr(11)).isEqualTo(0x2211);
        }
    }

    @Test
    void reservationsSucceedOnceThenFail() {
        // stwcx. sets CR0.EQ on success; the reservation is consumed, so a second stwcx. fails.
        try (SnippetRunner r = run("lis r10,2\n li r3,7\n stw r3,0(r10)\n lwarx r4,0,r10\n addi r4,r4,1\n stwcx. r4,0,r10\n mfcr r5\n stwcx. r4,0,r10\n mfcr r6\n lwz r7,0(r10)")) {
            assertThat(r.gpr(5) >>> 28).isEqualTo(0b0010);
            assertThat(r.gpr(6) >>> 28).isEqualTo(0b0000);
            assertThat(r.gpr(7)).isEqualTo(8);
        }
    }

    @Test
    void dcbzClearsTheWholeThirtyTwoByteLine() {
        try (SnippetRunner r = run("lis r10,2\n li r3,-1\n li r4,0\n1: stwx r3,r10,r4\n addi r4,r4,4\n cmpwi r4,96\n blt 1b\n"
                + " addi r11,r10,37\n dcbz 0,r11\n lwz r5,28(r10)\n lwz r6,32(r10)\n lwz r7,60(r10)\n lwz r8,64(r10)")) {
            assertThat(r.gpr(5)).isEqualTo(-1);
            assertThat(r.gpr(6)).isZero();
            assertThat(r.gpr(7)).isZero();
            assertThat(r.gpr(8)).isEqualTo(-1);
        }
    }

    @Test
    void specialPurposeRegistersAndTimeBase() {
        try (SnippetRunner r = run("li r3,123\n mtvrsave r3\n mfvrsave r4\n mftb r5\n mftbu r6\n li r7,1000\n mtctr r7\n1: bdnz 1b\n mftb r8\n mfpvr r9")) {
            assertThat(r.gpr(4)).isEqualTo(123);
            assertThat(Integer.toUnsignedLong(r.gpr(8) - r.gpr(5))).isPositive();
            assertThat(r.gpr(9)).isEqualTo(FlowOps.PVR_750);
        }
    }
}
