/* stands in for crt0.o: the entry point that calls main */
extern int main(void);
void _start(void) { volatile int r = main(); for (;;) (void)r; }
