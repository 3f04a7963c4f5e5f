package org.qemu.common.gdbstub;

import java.util.ArrayList;
import java.util.List;

/**
 * The target descriptions of the guests we run. Register names, order, sizes and types follow
 * GDB's own feature files (i386/32bit-core.xml and 32bit-sse.xml, i386/64bit-core.xml and
 * 64bit-sse.xml; rs6000/power-core.xml and power-fpu.xml), so GDB's {@code info registers} reads them as it reads a native target.
 */
public final class TargetDescriptions {
    private static final String EFLAGS_TYPE = """
                    <flags id="i386_eflags" size="4">
                      <field name="CF" start="0" end="0"/>
                      <field name="" start="1" end="1"/>
                      <field name="PF" start="2" end="2"/>
                      <field name="AF" start="4" end="4"/>
                      <field name="ZF" start="6" end="6"/>
                      <field name="SF" start="7" end="7"/>
                      <field name="TF" start="8" end="8"/>
                      <field name="IF" start="9" end="9"/>
                      <field name="DF" start="10" end="10"/>
                      <field name="OF" start="11" end="11"/>
                      <field name="NT" start="14" end="14"/>
                      <field name="RF" start="16" end="16"/>
                      <field name="VM" start="17" end="17"/>
                      <field name="AC" start="18" end="18"/>
                      <field name="VIF" start="19" end="19"/>
                      <field name="VIP" start="20" end="20"/>
                      <field name="ID" start="21" end="21"/>
                    </flags>
                """;
    private static final String SSE_TYPES = """
                    <vector id="v4f" type="ieee_single" count="4"/>
                    <vector id="v2d" type="ieee_double" count="2"/>
                    <vector id="v16i8" type="int8" count="16"/>
                    <vector id="v8i16" type="int16" count="8"/>
                    <vector id="v4i32" type="int32" count="4"/>
                    <vector id="v2i64" type="int64" count="2"/>
                    <union id="vec128">
                      <field name="v4_float" type="v4f"/>
                      <field name="v2_double" type="v2d"/>
                      <field name="v16_int8" type="v16i8"/>
                      <field name="v8_int16" type="v8i16"/>
                      <field name="v4_int32" type="v4i32"/>
                      <field name="v2_int64" type="v2i64"/>
                      <field name="uint128" type="uint128"/>
                    </union>
                    <flags id="i386_mxcsr" size="4">
                      <field name="IE" start="0" end="0"/>
                      <field name="DE" start="1" end="1"/>
                      <field name="ZE" start="2" end="2"/>
                      <field name="OE" start="3" end="3"/>
                      <field name="UE" start="4" end="4"/>
                      <field name="PE" start="5" end="5"/>
                      <field name="DAZ" start="6" end="6"/>
                      <field name="IM" start="7" end="7"/>
                      <field name="DM" start="8" end="8"/>
                      <field name="ZM" start="9" end="9"/>
                      <field name="OM" start="10" end="10"/>
                      <field name="UM" start="11" end="11"/>
                      <field name="PM" start="12" end="12"/>
                      <field name="FZ" start="15" end="15"/>
                    </flags>
                """;
    /** i386: eax..gs (0-15), st0-7 (16-23), fctrl..fop (24-31), xmm0-7 (32-39), mxcsr (40). */
    public static final TargetDescription I386 = i386();
    /** 32-bit PowerPC: r0-r31 (0-31), f0-f31 (32-63), pc msr cr lr ctr xer (64-69), fpscr (70). */
    public static final TargetDescription POWERPC = powerpc();
    /**
     * x86-64 (GDB's 64bit-core.xml and 64bit-sse.xml): rax rbx rcx rdx rsi rdi rbp rsp r8-r15
     * (0-15), rip (16), eflags (17), cs ss ds es fs gs (18-23), st0-7 (24-31), fctrl..fop
     * (32-39), xmm0-15 (40-55), mxcsr (56).
     */
    public static final TargetDescription X86_64 = x86_64();

    private static TargetDescription x86_64() {
        List<TargetDescription.Register> core = new ArrayList<>();
        String[] gprs = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"};
        for (int i = 0; i < 8; i++) {
            core.add(new TargetDescription.Register(gprs[i], 64, i, i >= 6 ? "data_ptr" : "int64", null));
        }
        for (int i = 8; i < 16; i++) {
            core.add(new TargetDescription.Register("r" + i, 64, i, "int64", null));
        }
        core.add(new TargetDescription.Register("rip", 64, 16, "code_ptr", null));
        core.add(new TargetDescription.Register("eflags", 32, 17, "i386_eflags", null));
        String[] segs = {"cs", "ss", "ds", "es", "fs", "gs"};
        for (int i = 0; i < 6; i++) {
            core.add(new TargetDescription.Register(segs[i], 32, 18 + i, "int32", null));
        }
        x87(core, 24);
        List<TargetDescription.Register> sse = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            sse.add(new TargetDescription.Register("xmm" + i, 128, 40 + i, "vec128", null));
        }
        sse.add(new TargetDescription.Register("mxcsr", 32, 56, "i386_mxcsr", "vector"));
        return new TargetDescription("i386:x86-64", List.of(
                new TargetDescription.Feature("org.gnu.gdb.i386.core", EFLAGS_TYPE, List.copyOf(core)),
                new TargetDescription.Feature("org.gnu.gdb.i386.sse", SSE_TYPES, List.copyOf(sse))));
    }

    /** st0-7 and the x87 control registers, numbered from {@code first}: the same in both x86 descriptions. */
    private static void x87(List<TargetDescription.Register> core, int first) {
        for (int i = 0; i < 8; i++) {
            core.add(new TargetDescription.Register("st" + i, 80, first + i, "i387_ext", null));
        }
        String[] fpControl = {"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"};
        for (int i = 0; i < 8; i++) {
            core.add(new TargetDescription.Register(fpControl[i], 32, first + 8 + i, "int", "float"));
        }
    }

    private static TargetDescription i386() {

        List<TargetDescription.Register> core = new ArrayList<>();
        String[] gprs = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
        for (int i = 0; i < 8; i++) {
            String type = i == 4 || i == 5 ? "data_ptr" : "int32";
            core.add(new TargetDescription.Register(gprs[i], 32, i, type, null));
        }
        core.add(new TargetDescription.Register("eip", 32, 8, "code_ptr", null));
        core.add(new TargetDescription.Register("eflags", 32, 9, "i386_eflags", null));
        String[] segs = {"cs", "ss", "ds", "es", "fs", "gs"};
        for (int i = 0; i < 6; i++) {
            core.add(new TargetDescription.Register(segs[i], 32, 10 + i, "int32", null));
        }
        x87(core, 16);

        List<TargetDescription.Register> sse = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sse.add(new TargetDescription.Register("xmm" + i, 128, 32 + i, "vec128", null));
        }
        sse.add(new TargetDescription.Register("mxcsr", 32, 40, "i386_mxcsr", "vector"));
        return new TargetDescription("i386", List.of(
                new TargetDescription.Feature("org.gnu.gdb.i386.core", EFLAGS_TYPE, List.copyOf(core)),
                new TargetDescription.Feature("org.gnu.gdb.i386.sse", SSE_TYPES, List.copyOf(sse))));
    }

    private static TargetDescription powerpc() {
        List<TargetDescription.Register> core = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            core.add(new TargetDescription.Register("r" + i, 32, i, "uint32", "general"));
        }
        core.add(new TargetDescription.Register("pc", 32, 64, "code_ptr", "general"));
        core.add(new TargetDescription.Register("msr", 32, 65, "uint32", "general"));
        core.add(new TargetDescription.Register("cr", 32, 66, "uint32", "general"));
        core.add(new TargetDescription.Register("lr", 32, 67, "code_ptr", "general"));
        core.add(new TargetDescription.Register("ctr", 32, 68, "uint32", "general"));
        core.add(new TargetDescription.Register("xer", 32, 69, "uint32", "general"));
        List<TargetDescription.Register> fpu = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            fpu.add(new TargetDescription.Register("f" + i, 64, 32 + i, "ieee_double", "float"));
        }
        fpu.add(new TargetDescription.Register("fpscr", 32, 70, "int", "float"));
        return new TargetDescription("powerpc:common", List.of(
                new TargetDescription.Feature("org.gnu.gdb.power.core", "", List.copyOf(core)),
                new TargetDescription.Feature("org.gnu.gdb.power.fpu", "", List.copyOf(fpu))));
    }

    private TargetDescriptions() {
    }
}
