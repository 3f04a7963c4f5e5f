package org.qemu.ppc.disas;

/** mfspr/mtspr and mftb with the register names objdump uses for the user-level SPRs. */
final class SpecialRegisterText {
    private SpecialRegisterText() {
    }

    private static int spr(int w) {
        return ((w >>> 16) & 31) | ((w >>> 11) & 31) << 5;
    }

    private static String insn(String mnemonic, String operands) {
        return String.format("%-7s %s", mnemonic, operands);
    }

    private static String name(int spr) {
        return switch (spr) {
            case 1 -> "xer";
            case 8 -> "lr";
            case 9 -> "ctr";
            case 256 -> "vrsave";
            case 287 -> "pvr";
            default -> null;
        };
    }

    static String move(int w, boolean fromSpr) {
        int spr = spr(w);
        int rt = (w >>> 21) & 31;
        String name = name(spr);
        if (!fromSpr && spr == 287) {
            name = null;
        }
        if (name != null) {
            return insn((fromSpr ? "mf" : "mt") + name, "r" + rt);
        }
        if (fromSpr && (spr == 268 || spr == 269)) {
            return insn(spr == 268 ? "mftb" : "mftbu", "r" + rt);
        }
        // Other SPRs are privileged or absent on this CPU: the emulator traps on them, and
        // objdump's names for them span every Power core ever made.
        return null;
    }

    static String timeBase(int w) {
        int spr = spr(w);
        int rt = (w >>> 21) & 31;
        return switch (spr) {
            case 268 -> insn("mftb", "r" + rt);
            case 269 -> insn("mftbu", "r" + rt);
            default -> null;
        };
    }
}
