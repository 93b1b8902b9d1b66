/* zero-initialised data: .bss must be backed by the file for the bootstrap to run in place */
char scratch[8192];
char *scratch_end(void) { return scratch + sizeof scratch; }
