/* fcopy.c: a file into a range of another by clone, data extents or plain copy (see fcopy.h)
 *
 * The fast paths are chosen by what configure found (KILN_HAVE_*, by compiling a probe), never
 * by the system's name; -DKILN_NO_COPY_FILE_RANGE, -DKILN_NO_FICLONERANGE and
 * -DKILN_NO_SEEK_HOLE force the POSIX path (pread and pwrite) instead. */
#define _GNU_SOURCE         /* copy_file_range (glibc) */
#define _DARWIN_C_SOURCE    /* SEEK_DATA, SEEK_HOLE (macOS) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#if defined(KILN_HAVE_FICLONERANGE) && !defined(KILN_NO_FICLONERANGE)
#include <linux/fs.h>       /* FICLONERANGE */
#include <sys/ioctl.h>
#define USE_FICLONERANGE 1
#endif
#if defined(KILN_HAVE_COPY_FILE_RANGE) && !defined(KILN_NO_COPY_FILE_RANGE)
#define USE_COPY_FILE_RANGE 1
#endif
#if defined(SEEK_DATA) && defined(SEEK_HOLE) && !defined(KILN_NO_SEEK_HOLE)
#define USE_SEEK_HOLE 1
#endif

#include "fcopy.h"
#include "util.h"

#define CHUNK (1u << 20)   /* bytes per read of the plain and buffered copies */

/* read k bytes of in at from, or exit naming why */
static void
rd(int in, const char *inname, void *b, size_t k, uint64_t from, const char *outname)
{
	errno = 0;
	if (xpread(in, b, k, from) != 0)
		fatal("%s: cannot read %zu bytes at offset %llu to copy them into %s: %s", inname, k,
		      (unsigned long long)from, outname, errno ? strerror(errno) : "the file shrank");
}

/* share the blocks of in[0, n) rounded down to out's block size with out at off; the bytes
 * cloned (0 when the filesystem cannot, or off is not block-aligned) */
static uint64_t
clone_range(int in, uint64_t n, int out, uint64_t off)
{
#ifdef USE_FICLONERANGE
	struct file_clone_range r;
	struct stat st;
	uint64_t bs, len;

	if (fstat(out, &st) != 0)
		return 0;
	bs = st.st_blksize >= 512 ? (uint64_t)st.st_blksize : 4096;
	len = n / bs * bs;
	if (off % bs || !len)
		return 0;
	memset(&r, 0, sizeof r);
	r.src_fd = in;
	r.src_offset = 0;
	r.src_length = len;
	r.dest_offset = off;
	/* any refusal (another filesystem, no reflinks, different devices) means: copy instead;
	 * a real I/O problem shows up again in the copy, with its message */
	return ioctl(out, FICLONERANGE, &r) == 0 ? len : 0;
#else
	(void)in, (void)n, (void)out, (void)off;
	return 0;
#endif
}

#ifdef USE_SEEK_HOLE
/* copy in[from, to) to out at off + from, all of it */
static void
copy_bytes(int in, const char *inname, uint64_t from, uint64_t to, int out, uint64_t off,
           const char *outname, struct fcopy_stats *st)
{
	static unsigned char *buf;
#ifdef USE_COPY_FILE_RANGE
	static int no_cfr;   /* copy_file_range refused once: not on this system or filesystem */

	while (!no_cfr && from < to) {
		loff_t a = (loff_t)from, b = (loff_t)(off + from);
		size_t want = to - from < (1u << 30) ? (size_t)(to - from) : (1u << 30);
		ssize_t k = copy_file_range(in, &a, out, &b, want, 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSYS || errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP ||
			    errno == EBADF || errno == ETXTBSY) {
				no_cfr = 1;
				break;
			}
			fatal("%s: copying %s into it: %s", outname, inname, strerror(errno));
		}
		if (k == 0)
			fatal("%s: shrank while being copied into %s", inname, outname);
		from += (uint64_t)k;
		st->copied += (uint64_t)k;
	}
#endif
	if (from < to && !buf)
		buf = xmalloc(CHUNK);
	while (from < to) {
		size_t k = to - from < CHUNK ? (size_t)(to - from) : CHUNK;
		rd(in, inname, buf, k, from, outname);
		xpwrite(out, buf, k, off + from, outname);
		from += k;
		st->copied += k;
	}
}

#endif

/* copy the data extents of in[from, n) and skip its holes; -1 when the system cannot tell
 * them apart (nothing copied then) */
static int
copy_extents(int in, const char *inname, uint64_t from, uint64_t n, int out, uint64_t off,
             const char *outname, struct fcopy_stats *st)
{
#ifdef USE_SEEK_HOLE
	uint64_t pos = from;

	while (pos < n) {
		off_t d = lseek(in, (off_t)pos, SEEK_DATA), h;
		if (d < 0) {
			if (errno == ENXIO)   /* only a hole up to the end */
				break;
			if (pos == from && (errno == EINVAL || errno == ENOTSUP))
				return -1;
			fatal("%s: cannot find its data: %s", inname, strerror(errno));
		}
		if ((uint64_t)d >= n)
			break;
		h = lseek(in, d, SEEK_HOLE);
		if (h < 0)
			fatal("%s: cannot find its holes: %s", inname, strerror(errno));
		if ((uint64_t)h > n)
			h = (off_t)n;
		st->holes += (uint64_t)d - pos;
		copy_bytes(in, inname, (uint64_t)d, (uint64_t)h, out, off, outname, st);
		pos = (uint64_t)h;
	}
	if (pos < n)
		st->holes += n - pos;
	return 0;
#else
	(void)in, (void)inname, (void)from, (void)n, (void)out, (void)off, (void)outname, (void)st;
	return -1;
#endif
}

/* read in[from, n) and write its blocks that are not all zero */
static void
copy_plain(int in, const char *inname, uint64_t from, uint64_t n, int out, uint64_t off,
           const char *outname, struct fcopy_stats *st)
{
	static const unsigned char z[4096];
	unsigned char *b = xmalloc(CHUNK);

	while (from < n) {
		size_t got = n - from < CHUNK ? (size_t)(n - from) : CHUNK, i, j, k;
		rd(in, inname, b, got, from, outname);
		for (i = 0; i < got; i = j) {
			k = got - i < sizeof z ? got - i : sizeof z;
			if (!memcmp(b + i, z, k)) {
				j = i + k;
				st->holes += k;
				continue;
			}
			/* extend the run over the blocks that are not all zero */
			for (j = i + k; j < got; j += k) {
				k = got - j < sizeof z ? got - j : sizeof z;
				if (!memcmp(b + j, z, k))
					break;
			}
			xpwrite(out, b + i, j - i, off + from + i, outname);
			st->copied += j - i;
		}
		from += got;
	}
	free(b);
}

void
fcopy(int in, const char *inname, uint64_t n, int out, uint64_t off, const char *outname,
      enum fcopy_mode mode, struct fcopy_stats *st)
{
	uint64_t done = 0;
	struct stat sb;

	if (mode == FCOPY_CLONE) {
		done = clone_range(in, n, out, off);
		st->cloned += done;
	}
	if (done < n && (mode == FCOPY_PLAIN ||
	                 copy_extents(in, inname, done, n, out, off, outname, st) < 0))
		copy_plain(in, inname, done, n, out, off, outname, st);
	if (fstat(in, &sb) != 0 || (uint64_t)sb.st_size != n)
		fatal("%s: changed size while being copied into %s (%llu bytes expected)", inname,
		      outname, (unsigned long long)n);
}
