#ifndef PAYLOAD_PROBE_H
#define PAYLOAD_PROBE_H
#include "lib.h"

/* Memory probes for the paging payloads: a #PF handler that records CR2, the error code and the
 * faulting eip, then resumes at the address the probe stored in `resume`. */
extern volatile u32 resume, faults, last_cr2, last_error, last_eip;

/* Loads an IDT whose only gate is the #PF handler. */
void install_page_fault_probe(void);
/* Reads a word at a linear address; a page fault resumes after the read (the result is then 0xdeadbeef). */
u32 probe_read(u32 address);
/* Writes a word at a linear address; a page fault skips the write. */
void probe_write(u32 address, u32 value);
/* Prints "WHAT: #PF cr2 ... error .." for the last probe, or "WHAT: no fault". */
void report_fault(const char *what);
/* Prints "WHAT VALUE" with the value in hex. */
void line(const char *what, u32 v);
#endif
