/* a freestanding program; with start.c it has a _start, without it it has none */
volatile int counter = 1;
int main(void) { return counter + 41; }
