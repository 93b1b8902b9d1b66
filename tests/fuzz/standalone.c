/* fuzz/standalone.c: replays files through a fuzz driver without libFuzzer or AFL, so the
 * seed corpora run in every test run: standalone FILE... feeds each file to
 * LLVMFuzzerTestOneInput and prints "ok replay FILE" after each one that returns. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		unsigned char *d = NULL;
		size_t n = 0, cap = 0, got;

		if (!f) {
			perror(argv[i]);
			return 2;
		}
		do {
			if (n == cap) {
				cap = cap ? cap * 2 : 65536;
				if (!(d = realloc(d, cap))) {
					perror("realloc");
					return 2;
				}
			}
			got = fread(d + n, 1, cap - n, f);
			n += got;
		} while (got > 0);
		fclose(f);
		LLVMFuzzerTestOneInput(d, n);
		free(d);
		printf("ok replay %s\n", argv[i]);
	}
	return 0;
}
