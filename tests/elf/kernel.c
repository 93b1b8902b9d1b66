/* a freestanding "kernel": kstart plus enough code to look like one */
#ifdef __aarch64__
#define NOPS "6000"   /* 4-byte instructions */
#else
#define NOPS "24000"  /* 1-byte nop on x86_64 */
#endif
__asm__(".text\n.globl kpad\nkpad:\n.rept " NOPS "\nnop\n.endr\nret\n");
extern void kpad(void);
volatile unsigned long ticks;
void kstart(void) { for (;;) { kpad(); ticks++; } }
