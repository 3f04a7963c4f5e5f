package jdk.test.whitebox.parser;

/**
 * A name only: one WhiteBox native's signature mentions this class, and the VM binds that native
 * by name and signature (see {@link jdk.test.whitebox.WhiteBox}). Never instantiated or loaded.
 */
public final class DiagnosticCommand {
    private DiagnosticCommand() {
    }
}
