/* util.h: errors, allocation, strings and atomic output files shared by every part of kiln. */
#ifndef KILN_UTIL_H
#define KILN_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* name printed before every message; main() sets it to "kiln" or "kiln <subcommand>" */
extern const char *argv0;

/* print "argv0: message" to stderr and exit with status 2 (bad input or environment) */
_Noreturn void fatal(const char *fmt, ...);
/* like fatal() with the given exit status */
_Noreturn void fatalx(int status, const char *fmt, ...);
/* print "argv0: warning: message" to stderr */
void warn(const char *fmt, ...);
/* print "argv0: message" to stderr without exiting */
void error(const char *fmt, ...);

/* the command main() is running, for usage errors: its name ("gpt") and usage text (cmd.h) */
extern const char *usage_cmd;
extern const char *usage_cmd_text;
/* print "argv0: MESSAGE; see 'kiln help CMD'" (one line) and exit 2: a usage error */
_Noreturn void usage_error(const char *fmt, ...);
/* usage_error for an unknown option, suggesting the closest option of the usage text */
_Noreturn void unknown_option(const char *arg);
/* usage_error for an unknown subcommand of the running command (kiln gpt frob) */
_Noreturn void unknown_subcommand(const char *word, const char *const *subs, size_t n);
/* " (did you mean 'X'?)" for the closest of n candidates to word, or ""; static storage */
const char *did_you_mean(const char *word, const char *const *cand, size_t n);

/* allocation that never returns NULL (fatal on exhaustion) */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
/* grow an array of n elements of size sz so that it can hold need elements; returns it */
void *xreallocarray(void *p, size_t n, size_t sz);
char *xstrdup(const char *s);
/* fork() after flushing stdout and stderr (the child must not write their buffers twice);
 * fatal when it fails */
int xfork(void);
/* xfork() with the child's standard output (and, with with_stderr, its standard error) on a
 * pipe: 0 in the child, the child's pid in the parent, which gets the pipe's read end in *rfd */
int xfork_piped(int with_stderr, int *rfd);
/* waitpid() for pid, again when interrupted; its status. fatal when it fails */
int xwait(int pid);
/* run argv (found on PATH) in dir (NULL: here) and return the first line of its standard
 * output (with with_stderr, of its standard error too), newline removed, "" when it printed
 * nothing; the rest is read and dropped. *status is waitpid's status (exit 127 when the program
 * could not be run or dir entered) */
char *run_first_line(const char *const argv[], const char *dir, int with_stderr, int *status);
char *xstrndup(const char *s, size_t n);
/* printf into a freshly allocated string */
char *xasprintf(const char *fmt, ...);

/* growable byte buffer, always NUL-terminated */
struct buf {
	char *s;     /* contents */
	size_t len;  /* bytes used, excluding the terminating NUL */
	size_t cap;  /* bytes allocated */
};
void buf_grow(struct buf *b, size_t extra);
void buf_putc(struct buf *b, int c);
void buf_put(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...);
void buf_free(struct buf *b);

/* A hash table from strings to pointers, the one kiln uses (graph nodes, manifest entries,
 * the Lua host's sets of names): open addressing with linear probing, FNV-1a, a power-of-two
 * capacity kept at most half full, so a lookup or an insertion costs O(1) whatever the size.
 * A key is a (pointer, length) pair, the pointer never NULL: a prefix of a longer string ("/a/b" of "/a/b/c") is
 * looked up without a copy, and a key may hold any bytes. The table copies and frees neither
 * keys nor values: a stored key must stay valid and unchanged while the table lives (it
 * usually lives in its value, like a node's path). Values are never NULL. A zeroed struct
 * (struct strmap m = {0}) is an empty table; strmap_free() releases its slots. */
struct strmap_slot {
	const char *key;  /* NULL: an empty slot */
	size_t len;       /* bytes of key */
	size_t hash;      /* strmap_hash(key, len), kept so that growing never rehashes */
	void *val;
};
struct strmap {
	struct strmap_slot *slot;
	size_t n, cap;    /* entries, and slots (0 or a power of two) */
};
/* the value stored under key[0..len), or NULL */
void *strmap_get(const struct strmap *m, const char *key, size_t len);
/* store val (not NULL) under key[0..len) if the key is new and return NULL; a key already
 * present keeps its value, which is returned (nothing is stored) */
void *strmap_put(struct strmap *m, const char *key, size_t len, void *val);
/* release the slots (not the keys or values) and empty the table */
void strmap_free(struct strmap *m);
/* the 64-bit FNV-1a hash of p[0..len) (its low bits where size_t is narrower); the table
 * mixes it further to pick a key's first slot */
size_t strmap_hash(const char *p, size_t len);

/* read a whole file; returns NULL and sets errno on failure; *len gets its size */
char *read_file(const char *path, size_t *len);
/* create the directories above path (like mkdir -p of its dirname); 0, or -1 with errno */
int mkdir_parents(const char *path);

/* Inputs of the image and ELF tools (images, archives, binaries) must be regular files: a
 * character device would be read until memory runs out, a FIFO blocks. */
/* open path for reading without blocking on a FIFO; returns the descriptor of a regular
 * file (*size gets its size), or -1 with *why set to a static reason such as "is a FIFO, not
 * a regular file" or strerror(errno) */
int open_input(const char *path, uint64_t *size, const char **why);
/* read the whole regular file at path with read(2), never mmap (a hole of a sparse file on a
 * full filesystem cannot be faulted in); NUL-terminated; NULL with *why set as above */
unsigned char *read_input(const char *path, size_t *len, const char **why);

/* A whole input file in memory, mapped when it can be: the ELF tools read every byte of
 * files of 30 MiB and more, and reading them into fresh memory costs a page fault a page. */
struct input {
	const unsigned char *data;
	size_t len;
	int mapped;   /* 1: a read-only private mapping; 0: read into memory (NUL-terminated) */
};
/* the regular file at path: mapped read-only when may_map is set, the file has no holes and
 * mmap takes it, else read as read_input reads it; 0, or -1 with *why set as for open_input.
 * While it is mapped, a fault on the mapping (the file was truncated meanwhile, or a read
 * failed) ends kiln with one line naming the file, status 2 and its temporary outputs
 * removed: a mapped file is only ever read, never written */
int input_open(struct input *in, const char *path, int may_map, const char **why);
/* unmap or free what input_open gave */
void input_close(struct input *in);

/* Atomic output: the data goes to a temporary file beside path and is renamed over path only
 * by afile_commit(), so a failed or interrupted command never leaves a half-written output
 * that Ninja would treat as up to date. A killed command leaves no temporary file behind
 * where the system has unnamed files (Linux), and elsewhere at most PATH.tmp, which the next
 * writer of path takes over. */
struct afile {
	char *path;  /* final name */
	char *tmp;   /* temporary name in the same directory; NULL while the file is unnamed */
	FILE *f;     /* stream on the temporary file */
	int fd;      /* descriptor of f */
};
/* create the temporary file for path; fatal on failure; registers cleanup at exit */
struct afile *afile_open(const char *path);
/* flush, check for write errors and rename over the final name; fatal on failure. When the
 * final file already has identical content it is left untouched, mtime included, so that
 * Ninja's restat skips whatever depends on it. */
void afile_commit(struct afile *a);
/* rename over the final name even when the content is identical (updates the mtime) */
void afile_commit_always(struct afile *a);
/* remove the temporary file */
void afile_abort(struct afile *a);

/* pwrite all of n bytes at off, fatal on error */
void xpwrite(int fd, const void *p, size_t n, uint64_t off, const char *name);
/* pread exactly n bytes at off; returns 0, or -1 on short read or error */
int xpread(int fd, void *p, size_t n, uint64_t off);

/* The one parser of sizes and counts given on command lines (kiln's Lua side parses the
 * sizes of plugins by the same rules before they reach a command line). */
/* parse a size: a decimal byte count, optionally followed by K, M, G or T (powers of 1024; k,
 * m, g, t and the spellings KiB and KB too), at most 2^63 - 1 bytes, the largest file offset.
 * Returns NULL with *out set, or a static reason for a message "OPTION VALUE: REASON":
 * "not a size (...)" or "too large (...)" */
const char *size_parse(const char *s, uint64_t *out);
/* size_parse() as 0, or -1 on a malformed or too large value */
int parse_size(const char *s, uint64_t *out);
/* parse a plain decimal number (digits only) of at most max; 0, or -1 when malformed or
 * larger */
int parse_uint(const char *s, uint64_t max, uint64_t *out);

/* little-endian accessors */
static inline uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t rd64(const unsigned char *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static inline void wr16(unsigned char *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static inline void wr32(unsigned char *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}
static inline void wr64(unsigned char *p, uint64_t v) { wr32(p, (uint32_t)v); wr32(p + 4, (uint32_t)(v >> 32)); }

/* the value of a hexadecimal digit, or -1 */
static inline int
hexdigit(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* SOURCE_DATE_EPOCH if set and valid, else 0 (never the wall clock: output must be reproducible) */
uint64_t source_date_epoch(void);

#endif
