package org.qemu.common.gdbstub;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A GDB target description: the architecture name and the register features GDB validates
 * (names, sizes, numbers and types are GDB's, from its feature files), served as
 * {@code target.xml}. The {@code g} packet carries every register in ascending number.
 */
public record TargetDescription(String architecture, List<Feature> features) {

    /** One register: its GDB name, size in bits, remote number, GDB type and optional group. */
    public record Register(String name, int bits, int regnum, String type, String group) {
        public int bytes() {
            return bits / 8;
        }
    }

    /** A named feature; {@code typesXml} holds the flags/vector/union types its registers use. */
    public record Feature(String name, String typesXml, List<Register> registers) {
    }

    /** All registers in remote-number order. */
    public List<Register> registers() {
        List<Register> all = new ArrayList<>();
        features.forEach(f -> all.addAll(f.registers()));
        all.sort(Comparator.comparingInt(Register::regnum));
        return all;
    }

    public Register register(int regnum) {
        for (Feature f : features) {
            for (Register r : f.registers()) {
                if (r.regnum() == regnum) {
                    return r;
                }
            }
        }
        return null;
    }

    /** The XML document GDB reads with {@code qXfer:features:read:target.xml}. */
    public String toXml() {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target>\n");
        x.append("  <architecture>").append(architecture).append("</architecture>\n");
        for (Feature f : features) {
            x.append("  <feature name=\"").append(f.name()).append("\">\n");
            x.append(f.typesXml());
            for (Register r : f.registers()) {
                x.append("    <reg name=\"").append(r.name()).append("\" bitsize=\"").append(r.bits())
                        .append("\" regnum=\"").append(r.regnum()).append("\" type=\"").append(r.type()).append('"');
                if (r.group() != null) {
                    x.append(" group=\"").append(r.group()).append('"');
                }
                x.append("/>\n");
            }
            x.append("  </feature>\n");
        }
        return x.append("</target>\n").toString();
    }
}
