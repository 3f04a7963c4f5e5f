/*
 * A disassembler plug-in for HotSpot's -XX:+PrintAssembly (x86-64, AT&T syntax), over the Capstone
 * library: with it the JVM prints the machine code C1 and C2 made of a block class, which is
 * where a guest loop's steady state is decided (bench/asm-x86_64.sh builds and uses it).
 *
 * HotSpot looks the library up by the name hsdis-amd64.so (its own lib folders, then the
 * dynamic loader's path) and calls one function, decode_instructions_virtual: disassemble
 * LENGTH bytes at BUFFER, which the code will run at START_VA, printing each instruction through
 * PRINT and framing it with "insn" / "/insn" events (their argument the instruction's address and
 * the next one's), so that HotSpot can put its own comments (oop maps, call targets, source
 * positions) between the lines. The whole range is framed by "insns" / "/insns". The return
 * value is the address where disassembly stopped.
 */
#include <stdint.h>
#include <capstone/capstone.h>

typedef void *(*hsdis_event)(void *stream, const char *event, void *argument);
typedef int (*hsdis_print)(void *stream, const char *format, ...);

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
                                  hsdis_event event, void *event_stream, hsdis_print print, void *print_stream,
                                  const char *options, int newline) {
    csh handle;
    (void) end_va;
    (void) options;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) {
        return (void *) start_va;
    }
    cs_option(handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    cs_insn *insn = cs_malloc(handle);
    const uint8_t *code = buffer;
    size_t left = length;
    uintptr_t pc = start_va;
    event(event_stream, "insns", (void *) pc);
    while (left > 0) {
        const uint8_t *at = code;
        uint64_t address = pc;
        event(event_stream, "insn", (void *) pc);
        if (cs_disasm_iter(handle, &code, &left, &address, insn)) {
            print(print_stream, "%-8s %s", insn->mnemonic, insn->op_str);
        } else {
            /* not an instruction Capstone knows (or data): one byte, and go on after it */
            print(print_stream, ".byte 0x%02x", *code);
            code++;
            left--;
        }
        pc += (uintptr_t) (code - at);
        event(event_stream, "/insn", (void *) pc);
        if (newline) {
            print(print_stream, "\n");
        }
    }
    event(event_stream, "/insns", (void *) pc);
    cs_free(insn, 1);
    cs_close(&handle);
    return (void *) pc;
}
