/* unit-initfs.c: the initfs writer against the golden bytes of redox/formats.md section 1.10
 * (two files and one directory, without and with a 9072-byte bootstrap whose e_entry is
 * 0x3000), and the reader on the same images. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/initfs.h"
#include "unit.h"

static const char manifest[] =
	"kiln-manifest 1\n"
	"file /hello.txt 0644 0 0 data:hi\\n\n"
	"file /dir/run.sh 0755 0 0 data:#!/bin/sh\\necho\\srun\\n\n"
	"dir /dir 0755 0 0\n";

/* header bytes 0..0x2f of formats.md 1.10, creation time 0x6B017592 s, 0 ns */
static const unsigned char hdr_noboot[48] = {
	0x52, 0x65, 0x64, 0x6F, 0x78, 0x46, 0x74, 0x77, 0x00, 0x10, 0x00, 0x00, 0x92, 0x75, 0x01, 0x6B,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0x09, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
};
static const unsigned char itab_noboot[80] = {
	0xED, 0x01, 0x00, 0x10, 0x10, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
	0xED, 0x01, 0x00, 0x00, 0x13, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
	0xED, 0x01, 0x00, 0x10, 0x08, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
	0xA4, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x70, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
};
static const unsigned char root_noboot[16] = {
	0x02, 0x00, 0x03, 0x00, 0x00, 0x60, 0x00, 0x00, 0x03, 0x00, 0x09, 0x00, 0x00, 0x80, 0x00, 0x00,
};
static const unsigned char dir_noboot[8] = { 0x01, 0x00, 0x06, 0x00, 0x00, 0x50, 0x00, 0x00 };

/* the same with the bootstrap: inode table at 0x4000, entry 0x3000, offsets + 0x3000 */
static const unsigned char hdr_boot[48] = {
	0x52, 0x65, 0x64, 0x6F, 0x78, 0x46, 0x74, 0x77, 0x00, 0x40, 0x00, 0x00, 0x92, 0x75, 0x01, 0x6B,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x09, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
};
static const unsigned char itab_boot[80] = {
	0xED, 0x01, 0x00, 0x10, 0x10, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
	0xED, 0x01, 0x00, 0x00, 0x13, 0x00, 0x00, 0x00, 0x00, 0x70, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
	0xED, 0x01, 0x00, 0x10, 0x08, 0x00, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
	0xA4, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0xA0, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
};
static const unsigned char root_boot[16] = {
	0x02, 0x00, 0x03, 0x00, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x09, 0x00, 0x00, 0xB0, 0x00, 0x00,
};
static const unsigned char dir_boot[8] = { 0x01, 0x00, 0x06, 0x00, 0x00, 0x80, 0x00, 0x00 };

/* expected image: zeros with the given pieces at their offsets */
static unsigned char *
golden(size_t len, size_t shift, const unsigned char *hdr, const unsigned char *itab,
       const unsigned char *root, const unsigned char *dir, const unsigned char *boot, size_t blen)
{
	unsigned char *g = calloc(1, len);

	memcpy(g, hdr, 48);
	if (boot)
		memcpy(g + 0x1000, boot, blen);
	memcpy(g + 0x1000 + shift, itab, 80);
	memcpy(g + 0x2000 + shift, root, 16);
	memcpy(g + 0x3000 + shift, dir, 8);
	memcpy(g + 0x4000 + shift, "#!/bin/sh\necho run\n", 19);
	memcpy(g + 0x5000 + shift, "run.sh", 6);
	memcpy(g + 0x6000 + shift, "dir", 3);
	memcpy(g + 0x7000 + shift, "hi\n", 3);
	memcpy(g + 0x8000 + shift, "hello.txt", 9);
	return g;
}

static int
count(void *ctx, const char *path, const struct initfs_inode *ino)
{
	struct buf *b = ctx;

	buf_printf(b, "%s:%u:%u:%o;", path, ino->type, ino->num, ino->mode);
	return 0;
}

/* run initfs_write on m in a child with stderr captured; its exit status, and stderr in err */
static int
child_write(struct manifest *m, const struct initfs_opts *o, char *err, size_t errlen)
{
	const char *out = "/tmp/unit-initfs-limit.img", *log = "/tmp/unit-initfs-limit.err";
	int st = 0;
	pid_t pid;
	FILE *f;

	fflush(stdout); /* or the child's exit would print the lines so far again */
	pid = fork();
	if (pid == 0) {
		freopen(log, "w", stderr);
		initfs_write(m, out, o);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	err[0] = '\0';
	if ((f = fopen(log, "r"))) {
		size_t n = fread(err, 1, errlen - 1, f);

		err[n] = '\0';
		fclose(f);
	}
	unlink(log);
	if (access(out, F_OK) == 0) {
		unlink(out);
		return -1; /* an output was left behind */
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
one(const char *label, const unsigned char *boot, size_t blen, const unsigned char *want,
    size_t wantlen)
{
	char path[] = "/tmp/unit-initfs.XXXXXX", name[128];
	struct manifest *m = manifest_parse("unit", manifest, sizeof manifest - 1);
	struct initfs_opts o = { boot, blen, 0x3000, INITFS_DEFAULT_MAX };
	struct initfs fs;
	struct buf err = {0}, walk = {0};
	size_t len = 0, i;
	unsigned char *got;
	int fd = mkstemp(path);

	close(fd);
	initfs_write(m, path, &o);
	got = (unsigned char *)read_file(path, &len);
	snprintf(name, sizeof name, "initfs golden %s: length", label);
	CHECK(name, got && len == wantlen);
	snprintf(name, sizeof name, "initfs golden %s: bytes", label);
	for (i = 0; got && i < len && i < wantlen && got[i] == want[i]; i++)
		;
	if (got && i < wantlen && i < len)
		printf("# first difference at 0x%zx: got %02x want %02x\n", i, got[i], want[i]);
	CHECK(name, got && len == wantlen && i == wantlen);
	snprintf(name, sizeof name, "initfs reader %s: header", label);
	CHECK(name, got && initfs_open(&fs, got, len, &err) == 0 && fs.ninodes == 4 &&
	      fs.size == wantlen && fs.entry == (boot ? 0x3000 : UINT64_MAX));
	snprintf(name, sizeof name, "initfs reader %s: walk", label);
	CHECK(name, got && initfs_walk(&fs, count, &walk, &err) == 0 && walk.s &&
	      !strcmp(walk.s, "/:1:0:755;/dir:1:2:755;/dir/run.sh:0:1:755;/hello.txt:0:3:644;"));
	unlink(path);
	free(got);
	buf_free(&err);
	buf_free(&walk);
	manifest_free(m);
}

int
main(void)
{
	unsigned char *boot = calloc(1, 9072), *g;
	struct initfs fs;
	struct buf err = {0};

	setenv("SOURCE_DATE_EPOCH", "1795257746", 1); /* 0x6B017592 */
	g = golden(0x8009, 0, hdr_noboot, itab_noboot, root_noboot, dir_noboot, NULL, 0);
	one("without bootstrap", NULL, 0, g, 0x8009);
	free(g);
	memcpy(boot, "\177ELF\2\1\1", 7);
	boot[0x18] = 0x00, boot[0x19] = 0x30;
	boot[9071] = 0xAA;
	g = golden(0xB009, 0x3000, hdr_boot, itab_boot, root_boot, dir_boot, boot, 9072);
	one("with bootstrap", boot, 9072, g, 0xB009);
	free(g);
	free(boot);

	/* the limits, without parsing a 65536-line manifest or writing gigabytes: a child writes
	 * a manifest whose counts or sizes are adjusted in memory; the layout pass refuses it
	 * before anything is read or written */
	{
		struct manifest *m = manifest_parse("unit", manifest, sizeof manifest - 1);
		struct initfs_opts o = { NULL, 0, 0, UINT64_MAX };
		struct mnode *hello = manifest_lookup(m, "/hello.txt");
		struct mnode *run = manifest_lookup(m, "/dir/run.sh");
		char err[1024];
		size_t nall = m->nall;

		m->nall = 65536;
		CHECK("initfs: 65536 inodes are refused (exit 2, no output)", child_write(m, &o, err, sizeof err) == 2);
		CHECK("initfs: the inode limit is named", strstr(err, "at most 65535 inodes") != NULL);
		m->nall = nall;
		hello->size = 5ull << 30;
		CHECK("initfs: a 5 GiB file is refused (exit 2, no output)", child_write(m, &o, err, sizeof err) == 2);
		CHECK("initfs: 'file too large' names the file", strstr(err, "/hello.txt: file too large") != NULL);
		hello->size = 3ull << 30;
		run->size = 3ull << 30;
		CHECK("initfs: data beyond 4 GiB is refused (exit 2, no output)", child_write(m, &o, err, sizeof err) == 2);
		CHECK("initfs: 'offset too high' is named", strstr(err, "offset too high") != NULL);
		o.max_size = INITFS_DEFAULT_MAX;
		CHECK("initfs: --max-size is checked first, with the size needed", child_write(m, &o, err, sizeof err) == 2 &&
		      strstr(err, "needs 6442479616 bytes") != NULL);
		manifest_free(m);
	}
	CHECK("initfs reader rejects a short image", initfs_open(&fs, (const unsigned char *)"RedoxFtw", 8, &err) != 0);
	return unit_failed;
}
