/* an absolute address stored in .text: a PIE linked with -z notext gets DT_TEXTREL */
int gv = 42;
__asm__(".text\n.globl tr_word\n.p2align 3\ntr_word: .quad gv\n");
int main(void) { return gv; }
