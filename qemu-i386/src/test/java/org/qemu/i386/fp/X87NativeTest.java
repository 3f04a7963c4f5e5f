package org.qemu.i386.fp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.ToIntFunction;

import org.junit.jupiter.api.Test;
import org.qemu.i386.fp.X87Fpu.Operation;

/**
 * Every x87 instruction form against this host's own FPU: random operands (normal, tiny, huge,
 * denormal, zero, infinite, NaN, unsupported) under all rounding and precision controls; the
 * status word, EFLAGS and resulting registers must match bit for bit.
 */
class X87NativeTest {
    record RegisterOp(String name, String code, ToIntFunction<X87Fpu> effect) {
    }

    interface MemoryEffect {
        int apply(X87Fpu fpu, byte[] memory);
    }

    record MemoryOp(String name, String code, MemoryEffect effect) {
    }

    static RegisterOp op(String name, String code, java.util.function.Consumer<X87Fpu> effect) {
        return new RegisterOp(name, code, f -> {
            effect.accept(f);
            return 0;
        });
    }

    static final List<RegisterOp> EXACT_REGISTER_OPS = List.of(
            op("fadd", "d8c1", f -> f.arithmeticRegisters(Operation.ADD, 0, 1, false)),
            op("fmul", "d8c9", f -> f.arithmeticRegisters(Operation.MUL, 0, 1, false)),
            op("fsub", "d8e1", f -> f.arithmeticRegisters(Operation.SUB, 0, 1, false)),
            op("fsubr", "d8e9", f -> f.arithmeticRegisters(Operation.SUBR, 0, 1, false)),
            op("fdiv", "d8f1", f -> f.arithmeticRegisters(Operation.DIV, 0, 1, false)),
            op("fdivr", "d8f9", f -> f.arithmeticRegisters(Operation.DIVR, 0, 1, false)),
            op("fadd st1,st0", "dcc1", f -> f.arithmeticRegisters(Operation.ADD, 1, 0, false)),
            op("fsub st1,st0", "dce9", f -> f.arithmeticRegisters(Operation.SUB, 1, 0, false)),
            op("fsubr st1,st0", "dce1", f -> f.arithmeticRegisters(Operation.SUBR, 1, 0, false)),
            op("fdiv st1,st0", "dcf9", f -> f.arithmeticRegisters(Operation.DIV, 1, 0, false)),
            op("fdivr st1,st0", "dcf1", f -> f.arithmeticRegisters(Operation.DIVR, 1, 0, false)),
            op("faddp", "dec1", f -> f.arithmeticRegisters(Operation.ADD, 1, 0, true)),
            op("fmulp", "dec9", f -> f.arithmeticRegisters(Operation.MUL, 1, 0, true)),
            op("fsubp", "dee9", f -> f.arithmeticRegisters(Operation.SUB, 1, 0, true)),
            op("fsubrp", "dee1", f -> f.arithmeticRegisters(Operation.SUBR, 1, 0, true)),
            op("fdivp", "def9", f -> f.arithmeticRegisters(Operation.DIV, 1, 0, true)),
            op("fdivrp", "def1", f -> f.arithmeticRegisters(Operation.DIVR, 1, 0, true)),
            op("fcom", "d8d1", f -> f.compareStack(1, false, 0)),
            op("fcomp", "d8d9", f -> f.compareStack(1, false, 1)),
            op("fucom", "dde1", f -> f.compareStack(1, true, 0)),
            op("fucomp", "dde9", f -> f.compareStack(1, true, 1)),
            op("fucompp", "dae9", f -> f.compareStack(1, true, 2)),
            op("fcompp", "ded9", f -> f.compareStack(1, false, 2)),
            new RegisterOp("fcomi", "dbf1", f -> f.compareToEflags(1, false, false)),
            new RegisterOp("fucomi", "dbe9", f -> f.compareToEflags(1, true, false)),
            new RegisterOp("fcomip", "dff1", f -> f.compareToEflags(1, false, true)),
            new RegisterOp("fucomip", "dfe9", f -> f.compareToEflags(1, true, true)),
            op("ftst", "d9e4", X87Fpu::test),
            op("fxam", "d9e5", X87Fpu::examine),
            op("fchs", "d9e0", X87Fpu::changeSign),
            op("fabs", "d9e1", X87Fpu::absolute),
            op("fsqrt", "d9fa", X87Fpu::squareRoot),
            op("frndint", "d9fc", X87Fpu::roundToInteger),
            op("fscale", "d9fd", X87Fpu::scale),
            op("fxtract", "d9f4", X87Fpu::extract),
            op("fprem", "d9f8", f -> f.partialRemainder(false)),
            op("fprem1", "d9f5", f -> f.partialRemainder(true)),
            op("fxch", "d9c9", f -> f.exchange(1)),
            op("fld st1", "d9c1", f -> f.loadStack(1)),
            op("fst st1", "ddd1", f -> f.storeStack(1, false)),
            op("fstp st1", "ddd9", f -> f.storeStack(1, true)),
            op("ffree st1", "ddc1", f -> f.free(1)),
            op("fincstp", "d9f7", X87Fpu::incrementStackPointer),
            op("fdecstp", "d9f6", X87Fpu::decrementStackPointer),
            op("fcmovnb (taken)", "dbc1", f -> f.conditionalMove(1)),
            op("fcmovb (not taken)", "dac1", f -> { }),
            op("fld1", "d9e8", f -> f.loadConstant(X87Fpu.Constant.ONE)),
            op("fldl2t", "d9e9", f -> f.loadConstant(X87Fpu.Constant.LOG2_10)),
            op("fldl2e", "d9ea", f -> f.loadConstant(X87Fpu.Constant.LOG2_E)),
            op("fldpi", "d9eb", f -> f.loadConstant(X87Fpu.Constant.PI)),
            op("fldlg2", "d9ec", f -> f.loadConstant(X87Fpu.Constant.LOG10_2)),
            op("fldln2", "d9ed", f -> f.loadConstant(X87Fpu.Constant.LN_2)),
            op("fldz", "d9ee", f -> f.loadConstant(X87Fpu.Constant.ZERO)),
            op("fnclex", "dbe2", X87Fpu::clearExceptions));

    static final List<MemoryOp> MEMORY_OPS = List.of(
            new MemoryOp("fst m64", "dd17", (f, m) -> put(m, f.storeDouble(false), 8)),
            new MemoryOp("fstp m64", "dd1f", (f, m) -> put(m, f.storeDouble(true), 8)),
            new MemoryOp("fst m32", "d917", (f, m) -> put(m, f.storeFloat(false), 4)),
            new MemoryOp("fstp m32", "d91f", (f, m) -> put(m, f.storeFloat(true), 4)),
            new MemoryOp("fist m16", "df17", (f, m) -> put(m, f.storeInteger(16, false, false), 2)),
            new MemoryOp("fistp m16", "df1f", (f, m) -> put(m, f.storeInteger(16, false, true), 2)),
            new MemoryOp("fist m32", "db17", (f, m) -> put(m, f.storeInteger(32, false, false), 4)),
            new MemoryOp("fistp m32", "db1f", (f, m) -> put(m, f.storeInteger(32, false, true), 4)),
            new MemoryOp("fistp m64", "df3f", (f, m) -> put(m, f.storeInteger(64, false, true), 8)),
            new MemoryOp("fisttp m16", "df0f", (f, m) -> put(m, f.storeInteger(16, true, true), 2)),
            new MemoryOp("fisttp m32", "db0f", (f, m) -> put(m, f.storeInteger(32, true, true), 4)),
            new MemoryOp("fisttp m64", "dd0f", (f, m) -> put(m, f.storeInteger(64, true, true), 8)),
            new MemoryOp("fstp m80", "db3f", (f, m) -> {
                System.arraycopy(f.storeExtended(true).toBytes(), 0, m, 0, 10);
                return 0;
            }),
            new MemoryOp("fld m64", "dd07", (f, m) -> { f.loadDouble(get(m, 8)); return 0; }),
            new MemoryOp("fld m32", "d907", (f, m) -> { f.loadFloat((int) get(m, 4)); return 0; }),
            new MemoryOp("fld m80", "db2f", (f, m) -> { f.loadExtended(Float80.fromBytes(m, 0)); return 0; }),
            new MemoryOp("fild m16", "df07", (f, m) -> { f.loadInteger((short) get(m, 2)); return 0; }),
            new MemoryOp("fild m32", "db07", (f, m) -> { f.loadInteger((int) get(m, 4)); return 0; }),
            new MemoryOp("fild m64", "df2f", (f, m) -> { f.loadInteger(get(m, 8)); return 0; }),
            new MemoryOp("fadd m64", "dc07", (f, m) -> { f.arithmeticWithDouble(Operation.ADD, get(m, 8)); return 0; }),
            new MemoryOp("fmul m64", "dc0f", (f, m) -> { f.arithmeticWithDouble(Operation.MUL, get(m, 8)); return 0; }),
            new MemoryOp("fsub m64", "dc27", (f, m) -> { f.arithmeticWithDouble(Operation.SUB, get(m, 8)); return 0; }),
            new MemoryOp("fsubr m64", "dc2f", (f, m) -> { f.arithmeticWithDouble(Operation.SUBR, get(m, 8)); return 0; }),
            new MemoryOp("fdiv m64", "dc37", (f, m) -> { f.arithmeticWithDouble(Operation.DIV, get(m, 8)); return 0; }),
            new MemoryOp("fdivr m64", "dc3f", (f, m) -> { f.arithmeticWithDouble(Operation.DIVR, get(m, 8)); return 0; }),
            new MemoryOp("fadd m32", "d807", (f, m) -> { f.arithmeticWithFloat(Operation.ADD, (int) get(m, 4)); return 0; }),
            new MemoryOp("fmul m32", "d80f", (f, m) -> { f.arithmeticWithFloat(Operation.MUL, (int) get(m, 4)); return 0; }),
            new MemoryOp("fcom m64", "dc17", (f, m) -> { f.compareDouble(get(m, 8), false); return 0; }),
            new MemoryOp("fcomp m32", "d81f", (f, m) -> { f.compareFloat((int) get(m, 4), true); return 0; }),
            new MemoryOp("fiadd m32", "da07", (f, m) -> { f.arithmeticWithInteger(Operation.ADD, (int) get(m, 4)); return 0; }),
            new MemoryOp("fimul m16", "de0f", (f, m) -> { f.arithmeticWithInteger(Operation.MUL, (short) get(m, 2)); return 0; }),
            new MemoryOp("fidivr m32", "da3f", (f, m) -> { f.arithmeticWithInteger(Operation.DIVR, (int) get(m, 4)); return 0; }),
            new MemoryOp("ficom m32", "da17", (f, m) -> { f.compareInteger((int) get(m, 4), false); return 0; }),
            new MemoryOp("fnstcw", "d93f", (f, m) -> put(m, f.controlWord(), 2)),
            new MemoryOp("fnstsw m16", "dd3f", (f, m) -> put(m, f.statusWord(), 2)));

    static int put(byte[] m, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            m[i] = (byte) (value >>> (8 * i));
        }
        return 0;
    }

    static long get(byte[] m, int bytes) {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            v = (v << 8) | (m[i] & 0xff);
        }
        return v;
    }

    static final HexFormat HEX = HexFormat.of();

    static int randomControlWord(Random random) {
        int[] pcs = {0, 2, 3, 3};
        return 0x7f | pcs[random.nextInt(4)] << 8 | random.nextInt(4) << 10;
    }

    @Test
    void registerFormsMatchTheHostFpu() throws Exception {
        Random random = new Random(20261125);
        Operands operands = new Operands(random);
        List<String> requests = new ArrayList<>();
        List<Object[]> cases = new ArrayList<>();
        for (RegisterOp op : EXACT_REGISTER_OPS) {
            for (int n = 0; n < 600; n++) {
                Float80 a = operands.next();
                Float80 b = random.nextInt(4) == 0 ? operands.near(a) : operands.next();
                int cw = randomControlWord(random);
                requests.add(String.format("x %s %x %x %x %x %x", op.code(), cw, a.signExponent(), a.significand(),
                        b.signExponent(), b.significand()));
                cases.add(new Object[] {op, cw, a, b});
            }
        }
        List<String> answers = NativeOracle.run(requests);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            RegisterOp op = (RegisterOp) cases.get(i)[0];
            int cw = (int) cases.get(i)[1];
            Float80 a = (Float80) cases.get(i)[2];
            Float80 b = (Float80) cases.get(i)[3];
            String ours = runRegister(op, cw, a, b);
            if (!ours.equals(answers.get(i))) {
                mismatches.add(String.format("%s cw=%x a=%s b=%s: native [%s] ours [%s]", op.name(), cw, a, b,
                        answers.get(i), ours));
            }
        }
        assertThat(mismatches).as(summary(mismatches)).isEmpty();
    }

    static String runRegister(RegisterOp op, int cw, Float80 a, Float80 b) {
        X87Fpu fpu = new X87Fpu();
        fpu.initialize();
        fpu.setControlWord(cw);
        fpu.loadExtended(b);
        fpu.loadExtended(a);
        int eflags = op.effect().applyAsInt(fpu);
        int sw = fpu.statusWord();
        Float80 r0 = fpu.storeExtended(true);
        Float80 r1 = fpu.storeExtended(true);
        return String.format("%x %x %x %x %x %x", sw, eflags, r0.signExponent(), r0.significand(),
                r1.signExponent(), r1.significand());
    }

    @Test
    void memoryFormsMatchTheHostFpu() throws Exception {
        Random random = new Random(42);
        Operands operands = new Operands(random);
        List<String> requests = new ArrayList<>();
        List<Object[]> cases = new ArrayList<>();
        for (MemoryOp op : MEMORY_OPS) {
            for (int n = 0; n < 600; n++) {
                Float80 a = operands.next();
                byte[] memory = operands.memory();
                int cw = randomControlWord(random);
                requests.add(String.format("m %s %x %x %x %s", op.code(), cw, a.signExponent(), a.significand(),
                        HEX.formatHex(memory)));
                cases.add(new Object[] {op, cw, a, memory});
            }
        }
        List<String> answers = NativeOracle.run(requests);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            MemoryOp op = (MemoryOp) cases.get(i)[0];
            int cw = (int) cases.get(i)[1];
            Float80 a = (Float80) cases.get(i)[2];
            byte[] memory = ((byte[]) cases.get(i)[3]).clone();
            X87Fpu fpu = new X87Fpu();
            fpu.initialize();
            fpu.setControlWord(cw);
            fpu.loadExtended(a);
            int eflags = op.effect().apply(fpu, memory);
            int sw = fpu.statusWord();
            Float80 r0 = fpu.storeExtended(true);
            String ours = String.format("%x %x %x %x %s", sw, eflags, r0.signExponent(), r0.significand(),
                    HEX.formatHex(memory));
            if (!ours.equals(answers.get(i))) {
                mismatches.add(String.format("%s cw=%x a=%s mem=%s: native [%s] ours [%s]", op.name(), cw, a,
                        HEX.formatHex((byte[]) cases.get(i)[3]), answers.get(i), ours));
            }
        }
        assertThat(mismatches).as(summary(mismatches)).isEmpty();
    }

    static String summary(List<String> mismatches) {
        StringBuilder sb = new StringBuilder(mismatches.size() + " mismatches\n");
        mismatches.stream().limit(40).forEach(m -> sb.append(m).append('\n'));
        return sb.toString();
    }
}
