/* unit-afile.c: afile_commit() keeps an output whose content did not change (same inode and
 * mtime, so Ninja's restat stops there) and replaces it when one byte differs, also for
 * sparse files, whose holes the comparison skips where both files have one: data moved
 * into the other's hole, a byte added in a hole, a byte changed in the data, a hole at the
 * end. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

#define MIB (1024u * 1024u)

static char path[96];

/* write path as a size-byte file holding the n (offset, byte) pairs, the rest holes; returns
 * the inode of path afterwards */
static ino_t
write_sparse(uint64_t size, const uint64_t *offs, const char *bytes, int n)
{
	struct afile *a = afile_open(path);
	struct stat st;
	int i;

	for (i = 0; i < n; i++) {
		char b[4096];

		memset(b, bytes[i], sizeof b);
		xpwrite(a->fd, b, sizeof b, offs[i], path);
	}
	if (ftruncate(a->fd, (off_t)size) != 0)
		fatal("ftruncate: %s", strerror(errno));
	afile_commit(a);
	if (stat(path, &st) != 0)
		fatal("stat %s: %s", path, strerror(errno));
	return st.st_ino;
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[64];
	uint64_t o1[] = { 0, 4 * MIB }, o2[] = { 0, 6 * MIB }, o3[] = { 0, 4 * MIB, 7 * MIB };
	ino_t first, i;

	snprintf(dir, sizeof dir, "%s/kiln-unit-afile.XXXXXX", tmp && *tmp && strlen(tmp) < 30 ? tmp : "/tmp");
	if (!mkdtemp(dir))
		fatal("mkdtemp %s: %s", dir, strerror(errno));
	snprintf(path, sizeof path, "%s/img", dir);

	first = write_sparse(8 * MIB, o1, "AB", 2);
	i = write_sparse(8 * MIB, o1, "AB", 2);
	CHECK("afile: the same sparse content keeps the file", i == first);
	first = i;
	i = write_sparse(8 * MIB, o2, "AB", 2);
	CHECK("afile: data moved into the other file's hole replaces it", i != first);
	first = i;
	i = write_sparse(8 * MIB, o2, "AC", 2);
	CHECK("afile: a changed byte in the data replaces it", i != first);
	first = write_sparse(8 * MIB, o1, "AB", 2);
	i = write_sparse(8 * MIB, o3, "ABC", 3);
	CHECK("afile: a byte added in a hole replaces it", i != first);
	first = i;
	i = write_sparse(9 * MIB, o3, "ABC", 3);
	CHECK("afile: a longer file (a hole at the end) replaces it", i != first);
	first = i;
	i = write_sparse(9 * MIB, o3, "ABC", 3);
	CHECK("afile: and the same again keeps it", i == first);
	{
		/* explicit zeros where the old file has a hole: the same content */
		struct afile *a = afile_open(path);
		char z[4096], b[4096];
		struct stat st;

		memset(z, 0, sizeof z);
		memset(b, 'A', sizeof b);
		xpwrite(a->fd, b, sizeof b, 0, path);
		memset(b, 'B', sizeof b);
		xpwrite(a->fd, b, sizeof b, 4 * MIB, path);
		memset(b, 'C', sizeof b);
		xpwrite(a->fd, b, sizeof b, 7 * MIB, path);
		xpwrite(a->fd, z, sizeof z, 2 * MIB, path);
		if (ftruncate(a->fd, (off_t)(9 * MIB)) != 0)
			fatal("ftruncate: %s", strerror(errno));
		afile_commit(a);
		CHECK("afile: zeros written where the old file has a hole: the same content, kept",
		      stat(path, &st) == 0 && st.st_ino == first);
	}
	unlink(path);
	rmdir(dir);
	return unit_failed;
}
