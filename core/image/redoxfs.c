/* redoxfs.c: the RedoxFS v8 writer and the redoxfs subcommand (see redoxfs.h) */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* liblz4: the real RedoxFS writer stores a record LZ4-compressed whenever that takes a smaller
 * level (formats.md 2.6), and Redox systems are mostly ELF programs, which compress to about
 * half; kiln links the system's LZ4 block compressor to write images as small */
#include <lz4.h>

#include "cmd.h"
#include "manifest.h"
#include "redoxfs.h"
#include "seahash.h"
#include "util.h"

/* a BlockPtr */
struct ptr {
	uint64_t addr, hash;
};

/* a run of free blocks */
struct ext {
	uint64_t start, len;
};

/* one directory entry while a directory is laid out */
struct dent {
	uint32_t hash;      /* rfs_namehash of name */
	uint32_t id;        /* node id it names */
	const char *name;
	size_t len;
};

/* where content comes from: a host stream or bytes in memory */
struct src {
	FILE *f;
	const char *mem;
	uint64_t pos, len;
	struct mnode *n;
};

/* one record on its way through the pipeline: read by the main thread, compressed and
 * hashed by any thread, then allocated and written by the main thread in layout order */
struct job {
	struct mnode *n;         /* whose record it is, and which: checked when it is taken */
	uint64_t r;
	size_t len;              /* content bytes in rec */
	unsigned lvl;            /* the record's level (its uncompressed size) */
	unsigned cl;             /* the level stored: lvl, or smaller when crec holds it */
	size_t used;             /* bytes of the stored form that are not padding */
	uint64_t hash;           /* seahash of the stored form, padding included */
	int done;                /* compressed and hashed (under the pipeline's lock) */
	unsigned char *rec;      /* the record, 4096 << RFS_MAX_LEVEL bytes */
	unsigned char *crec;     /* its compressed form, 4096 << (RFS_MAX_LEVEL - 1) bytes */
};

/* a thread that compresses records */
struct worker {
	pthread_t t;
	struct wr *w;
	void *lz4;               /* its LZ4 state */
};

/* the layout being written */
struct wr {
	int over;                /* the layout ran past nblocks: from then on only count blocks */
	int compress;            /* store records LZ4-compressed when that takes a smaller level */
	int fd;
	uint64_t off;            /* byte offset of block 0 in fd */
	const char *name;        /* output name for messages */
	uint64_t nblocks;        /* blocks the header size allows */
	uint64_t next;           /* bump pointer: first block never handed out */
	struct ext *gap;         /* holes below next left by buddy alignment, sorted */
	size_t ngap;
	uint64_t time;
	const unsigned char *uuid; /* header uuid */
	struct manifest *m;
	/* the record pipeline: a ring of njob jobs; [head, start) are taken by a thread or done,
	 * [start, tail) wait for one; the main thread reads ahead (cursor) into free jobs */
	struct job *job;
	size_t njob;
	uint64_t head, start, tail;
	pthread_mutex_t mu;
	pthread_cond_t work;     /* a job was queued, or stop */
	pthread_cond_t done;     /* a job is done */
	int stop;
	struct worker *thr;      /* jobs - 1 of them: the main thread compresses too */
	size_t nthr;
	void *lz4;               /* the main thread's LZ4 state */
	size_t cur_node;         /* the cursor: the next entry of m->all to read records of */
	struct src cur;          /* the source being read (cur.n is NULL between entries) */
	uint64_t cur_rec;        /* its next record */
	uint64_t cur_nrec;       /* its number of records */
	int cur_end;             /* every record has been read */
	uint32_t *ids;           /* node id of each node, in creation order */
	struct ptr *nodes;       /* the node block of each, same order */
	size_t nnodes;
};

/* ---- blocks ---- */

/* write n bytes at block index; nothing once the layout has overflowed */
static void
put(struct wr *w, uint64_t index, const void *p, size_t n)
{
	if (!w->over)
		xpwrite(w->fd, p, n, w->off + index * RFS_BLOCK, w->name);
}

static void
addgap(struct wr *w, uint64_t start, uint64_t end)
{
	if (end <= start)
		return;
	w->gap = xreallocarray(w->gap, w->ngap + 1, sizeof *w->gap);
	w->gap[w->ngap].start = start;
	w->gap[w->ngap].len = end - start;
	w->ngap++;
}

/* hand out a level-L block at a multiple of 2^L: first fit in a hole, else at the end */
static uint64_t
balloc(struct wr *w, unsigned level)
{
	uint64_t n = (uint64_t)1 << level, a, end;
	size_t i;

	for (i = 0; i < w->ngap; i++) {
		struct ext *g = &w->gap[i];
		a = (g->start + n - 1) & ~(n - 1);
		end = g->start + g->len;
		if (a + n > end)
			continue;
		if (a + n < end) {
			/* keep the tail of the hole, insert the head before it if any */
			uint64_t s0 = g->start;
			g->start = a + n;
			g->len = end - g->start;
			if (a > s0) {
				w->gap = xreallocarray(w->gap, w->ngap + 1, sizeof *w->gap);
				memmove(w->gap + i + 1, w->gap + i, (w->ngap - i) * sizeof *w->gap);
				w->gap[i].start = s0;
				w->gap[i].len = a - s0;
				w->ngap++;
			}
		} else if (a > g->start) {
			g->len = a - g->start;
		} else {
			memmove(w->gap + i, w->gap + i + 1, (w->ngap - i - 1) * sizeof *w->gap);
			w->ngap--;
		}
		return a;
	}
	a = (w->next + n - 1) & ~(n - 1);
	addgap(w, w->next, a);
	w->next = a + n;
	if (w->next > w->nblocks)
		w->over = 1;  /* keep laying out to learn the size needed; rfs_write reports it */
	return a;
}

/* allocate, hash and write one metadata block */
static struct ptr
putblock(struct wr *w, const unsigned char *b)
{
	struct ptr p;
	uint64_t i = balloc(w, 0);

	put(w, i, b, RFS_BLOCK);
	p.addr = rfs_addr(i, 0);
	p.hash = seahash(b, RFS_BLOCK);
	return p;
}

static void
wrptr(unsigned char *p, struct ptr v)
{
	wr64(p, v.addr);
	wr64(p + 8, v.hash);
}

/* ---- node ids ---- */

/* the id after id, skipping ids with a field of 254 or 255 */
static uint32_t
next_id(uint32_t id)
{
	int i;

	id++;
	for (i = 0; i < 4; i++)
		if ((id >> (8 * i) & 0xFF) >= RFS_TREE_PTRS)
			id = (id | ((1u << (8 * i + 8)) - 1)) + 1;
	if (!id)
		fatal("too many files for a RedoxFS node tree");
	return id;
}

/* ---- file data ---- */

static void
src_read(struct wr *w, struct src *s, unsigned char *p, size_t n)
{
	if (s->mem) {
		memcpy(p, s->mem + s->pos, n);
	} else if (fread(p, 1, n, s->f) != n) {
		if (ferror(s->f))
			fatal("%s: %s: cannot read source '%s': %s", s->n->where, s->n->path,
			      s->n->src ? s->n->src : "(inline)", strerror(errno));
		fatal("%s: %s: source '%s' changed size while the image was written (%llu bytes expected)",
		      s->n->where, s->n->path, s->n->src ? s->n->src : "(inline)",
		      (unsigned long long)s->len);
	}
	s->pos += n;
}

/* the smallest level whose size holds n bytes (n > 0) */
static unsigned
level_for(uint64_t n)
{
	unsigned l = 0;

	while (((uint64_t)RFS_BLOCK << l) < n)
		l++;
	return l;
}

/* compress the stored bytes of a level-lvl record (rec) into crec the way the real writer
 * does: bytes 0..1 the LZ4 block's length (u16 LE), then the block, then zeros. Only a record
 * above level 0 whose compressed form needs a smaller level (and at most 64 KiB) is stored
 * so; the level to store, or lvl to store rec as it is. *used: bytes not padding */
static unsigned
compress_record(void *lz4, const unsigned char *rec, unsigned char *crec, unsigned lvl,
                size_t *used)
{
	size_t stored = (size_t)RFS_BLOCK << lvl, cap;
	unsigned cl;
	int c;

	/* anything that does not fit a level below is of no use: let LZ4 stop early */
	cap = ((size_t)RFS_BLOCK << (lvl - 1)) - 2;
	c = LZ4_compress_fast_extState(lz4, (const char *)rec, (char *)crec + 2, (int)stored,
	                               (int)cap, 1);
	if (c <= 0)
		return lvl;
	cl = level_for((uint64_t)c + 2);
	crec[0] = (unsigned char)(c & 0xFF);
	crec[1] = (unsigned char)(c >> 8);
	memset(crec + 2 + c, 0, ((size_t)RFS_BLOCK << cl) - 2 - (size_t)c);
	*used = (size_t)c + 2;
	return cl;
}

/* what a job's thread does: pad, compress when that is smaller, hash the stored form */
static void
run_job(int compress, struct job *j, void *lz4)
{
	size_t stored;

	j->lvl = j->cl = level_for(j->len);
	j->used = j->len;
	stored = (size_t)RFS_BLOCK << j->lvl;
	memset(j->rec + j->len, 0, stored - j->len);
	if (compress && j->lvl > 0)
		j->cl = compress_record(lz4, j->rec, j->crec, j->lvl, &j->used);
	j->hash = seahash(j->cl != j->lvl ? j->crec : j->rec, (size_t)RFS_BLOCK << j->cl);
}

/* ---- the record pipeline ----
 * Records are independent until they are allocated, so the main thread reads them ahead
 * into a ring of jobs, worker threads (and the main thread while it waits) compress and hash
 * them, and the main thread takes them back in order to allocate and write: the image is the
 * same for any number of threads, and memory is the ring's, whatever the payload. */

/* the record level of an entry's data: 128 KiB records for files, blocks for symlinks */
static unsigned
reclevel_of(const struct mnode *n)
{
	return n->type == M_FILE ? RFS_FILE_RECLEVEL : 0;
}

/* the source of an entry's data; its length decides inline or records */
static void
data_src(struct mnode *n, struct src *s)
{
	memset(s, 0, sizeof *s);
	s->n = n;
	if (n->type == M_SYMLINK) {
		s->mem = n->data;
		s->len = n->datalen;
	} else {
		s->len = n->src ? n->size : n->datalen;
		if (!n->src)
			s->mem = n->data;
	}
}

/* a source that has been read to its length must end there */
static void
src_end(struct src *s)
{
	if (!s->f)
		return;
	if (getc(s->f) != EOF)
		fatal("%s: %s: source '%s' changed size while the image was written (%llu bytes expected)",
		      s->n->where, s->n->path, s->n->src, (unsigned long long)s->len);
	fclose(s->f);
	s->f = NULL;
}

/* read the next record of the layout (entries in manifest order, records in order) into j;
 * 0 when there is none left */
static int
read_next(struct wr *w, struct job *j)
{
	struct src *s = &w->cur;
	uint64_t rsz;

	while (!s->n) {
		struct mnode *n;
		if (w->cur_node == w->m->nall)
			return 0;
		n = w->m->all[w->cur_node++];
		if (n->type != M_FILE && n->type != M_SYMLINK)
			continue;
		data_src(n, s);
		if (s->len < RFS_INLINE_MAX) {
			s->n = NULL;  /* inline in the node: write_data reads it */
			continue;
		}
		rsz = (uint64_t)RFS_BLOCK << reclevel_of(n);
		w->cur_nrec = (s->len + rsz - 1) / rsz;
		w->cur_rec = 0;
		if (!s->mem)
			s->f = mnode_open(n);
	}
	rsz = (uint64_t)RFS_BLOCK << reclevel_of(s->n);
	j->n = s->n;
	j->r = w->cur_rec;
	j->len = (size_t)(s->len - s->pos < rsz ? s->len - s->pos : rsz);
	src_read(w, s, j->rec, j->len);
	if (++w->cur_rec == w->cur_nrec) {
		src_end(s);
		s->n = NULL;
	}
	return 1;
}

static void *
worker(void *arg)
{
	struct worker *t = arg;
	struct wr *w = t->w;
	struct job *j;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stop && w->start == w->tail)
			pthread_cond_wait(&w->work, &w->mu);
		if (w->start == w->tail)
			break;
		j = &w->job[w->start++ % w->njob];
		pthread_mutex_unlock(&w->mu);
		run_job(w->compress, j, t->lz4);
		pthread_mutex_lock(&w->mu);
		j->done = 1;
		pthread_cond_signal(&w->done);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* a ring for jobs threads (1: the main thread alone, as a plain loop would), and the
 * workers; a worker that cannot be started leaves the work to the others */
static void
pipe_start(struct wr *w, unsigned jobs)
{
	size_t i;

	if (jobs < 1)
		jobs = 1;
	/* enough records ahead that no thread waits for the reader: a few per thread */
	w->njob = jobs == 1 ? 1 : 4 * (size_t)jobs;
	w->job = xreallocarray(NULL, w->njob, sizeof *w->job);
	for (i = 0; i < w->njob; i++) {
		w->job[i].rec = xmalloc((size_t)RFS_BLOCK << RFS_MAX_LEVEL);
		w->job[i].crec = xmalloc((size_t)RFS_BLOCK << (RFS_MAX_LEVEL - 1));
	}
	w->lz4 = xmalloc((size_t)LZ4_sizeofState());
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	w->thr = xreallocarray(NULL, jobs, sizeof *w->thr);
	for (i = 0; i + 1 < jobs; i++) {
		struct worker *t = &w->thr[w->nthr];
		t->w = w;
		t->lz4 = xmalloc((size_t)LZ4_sizeofState());
		if (pthread_create(&t->t, NULL, worker, t) != 0) {
			free(t->lz4);
			break;
		}
		w->nthr++;
	}
}

/* stop and join the workers, free the ring */
static void
pipe_end(struct wr *w)
{
	size_t i;

	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->nthr; i++) {
		pthread_join(w->thr[i].t, NULL);
		free(w->thr[i].lz4);
	}
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->mu);
	for (i = 0; i < w->njob; i++) {
		free(w->job[i].rec);
		free(w->job[i].crec);
	}
	free(w->job);
	free(w->thr);
	free(w->lz4);
}

/* the next record of the layout, compressed and hashed: record r of n. Fills the ring with
 * records read ahead first; while the record is not done, compresses a waiting one */
static struct job *
take(struct wr *w, const struct mnode *n, uint64_t r)
{
	struct job *j;

	while (!w->cur_end && w->tail - w->head < w->njob) {
		j = &w->job[w->tail % w->njob];
		if (!read_next(w, j)) {
			w->cur_end = 1;
			break;
		}
		pthread_mutex_lock(&w->mu);
		j->done = 0;
		w->tail++;
		pthread_cond_signal(&w->work);
		pthread_mutex_unlock(&w->mu);
	}
	if (w->head == w->tail)
		fatal("internal error: the record reader ran out before %s record %llu", n->path,
		      (unsigned long long)r);
	j = &w->job[w->head % w->njob];
	pthread_mutex_lock(&w->mu);
	while (!j->done) {
		if (w->start < w->tail) {
			struct job *k = &w->job[w->start++ % w->njob];
			pthread_mutex_unlock(&w->mu);
			run_job(w->compress, k, w->lz4);
			pthread_mutex_lock(&w->mu);
			k->done = 1;
		} else {
			pthread_cond_wait(&w->done, &w->mu);
		}
	}
	pthread_mutex_unlock(&w->mu);
	if (j->n != n || j->r != r)
		fatal("internal error: the record reader gave %s record %llu for %s record %llu",
		      j->n->path, (unsigned long long)j->r, n->path, (unsigned long long)r);
	w->head++;  /* its slot is read into again only by the next take, after the caller is done */
	return j;
}

/* store record r of n (compressed when that is smaller), count its blocks and return its
 * pointer. Only the blocks holding data are written: the image file is new and zero, so the
 * padding stays a hole (the hash covers it all the same) */
static struct ptr
write_record(struct wr *w, const struct mnode *n, uint64_t r, uint64_t *blocks)
{
	struct job *j = take(w, n, r);
	struct ptr p;
	uint64_t at;

	at = balloc(w, j->cl);
	put(w, at, j->cl != j->lvl ? j->crec : j->rec,
	    (j->used + RFS_BLOCK - 1) / RFS_BLOCK * RFS_BLOCK);
	p.hash = j->hash;
	p.addr = rfs_addr(at, j->cl) | (j->cl != j->lvl ? (uint64_t)j->lvl << 4 : 0);
	*blocks += (uint64_t)1 << j->cl;
	return p;
}

/* write the BlockList tree of depth d over record pointers p[0..n) and return its root */
static struct ptr
blocklist(struct wr *w, const struct ptr *p, uint64_t n, unsigned d, uint64_t *blocks)
{
	unsigned char b[RFS_BLOCK];
	uint64_t per = (uint64_t)1 << (8 * (d - 1)), i;

	memset(b, 0, sizeof b);
	for (i = 0; i * per < n; i++) {
		uint64_t k = n - i * per < per ? n - i * per : per;
		wrptr(b + 16 * i, d == 1 ? p[i] : blocklist(w, p + i * per, k, d - 1, blocks));
	}
	*blocks += 1;
	return putblock(w, b);
}

/* the data of a file or symlink: inline in node, or records and indirect tables */
static void
write_data(struct wr *w, struct mnode *n, unsigned char *node, unsigned reclevel,
           uint64_t *blocks)
{
	struct src s;
	uint64_t rsz = (uint64_t)RFS_BLOCK << reclevel, nrec, r, base, cap;
	struct ptr *recs;
	unsigned k;

	data_src(n, &s);
	if (s.len < RFS_INLINE_MAX) {
		wr32(node + RFS_N_FLAGS, RFS_FLAG_INLINE);
		if (s.len) {
			if (!s.mem)
				s.f = mnode_open(n);
			src_read(w, &s, node + RFS_N_DATA, (size_t)s.len);
			src_end(&s);
		}
	} else {
		nrec = (s.len + rsz - 1) / rsz;
		cap = 0;
		for (k = 0; k < 5; k++)
			cap += (uint64_t)rfs_level_n[k] << (8 * k);
		if (nrec > cap)
			fatal("%s: %s: file too large for RedoxFS (%llu bytes)", n->where, n->path,
			      (unsigned long long)s.len);
		recs = xreallocarray(NULL, nrec, sizeof *recs);
		/* the pipeline reads the source (read_next) and checks where it ends */
		for (r = 0; r < nrec; r++)
			recs[r] = write_record(w, n, r, blocks);
		/* level 0 points at records; level k at BlockList trees of depth k */
		base = 0;
		for (k = 0; k < 5 && base < nrec; k++) {
			uint64_t per = (uint64_t)1 << (8 * k), j;
			for (j = 0; j < rfs_level_n[k] && base < nrec; j++) {
				uint64_t cnt = nrec - base < per ? nrec - base : per;
				struct ptr p = k ? blocklist(w, recs + base, cnt, k, blocks) : recs[base];
				wrptr(node + rfs_level_off[k] + 16 * j, p);
				base += cnt;
			}
		}
		free(recs);
	}
	wr64(node + RFS_N_SIZE, s.len);
}

/* ---- directories ---- */

static int
dentcmp(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	c = memcmp(x->name, y->name, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* one child of an HTree node being built */
struct hslot {
	uint32_t key;       /* largest name hash below it */
	struct ptr p;
};

/* DirLists sorted by name hash, then HTree levels above them when there is more than one */
static void
write_dir(struct wr *w, struct mnode *d, unsigned char *node, uint64_t *blocks)
{
	struct dent *e;
	struct hslot *sl = NULL, *up;
	size_t i, j, ns = 0, nup, nb = 0;
	unsigned char b[RFS_BLOCK];
	unsigned levels = 0;

	if (!d->nchild)
		return;
	e = xreallocarray(NULL, d->nchild, sizeof *e);
	for (i = 0; i < d->nchild; i++) {
		struct mnode *c = d->child[i];
		e[i].name = c->name;
		e[i].len = strlen(c->name);
		e[i].hash = rfs_namehash(c->name, e[i].len);
		e[i].id = (uint32_t)(c->type == M_HARDLINK ? c->target->id : c->id);
	}
	qsort(e, d->nchild, sizeof *e, dentcmp);
	/* pack greedily, keeping names of equal hash in one DirList */
	for (i = 0; i < d->nchild; i = j) {
		size_t used = 0, cnt = 0;
		memset(b, 0, sizeof b);
		for (j = i; j < d->nchild; j++) {
			size_t g = j, glen = 0;
			while (g < d->nchild && e[g].hash == e[j].hash)
				glen += 5 + e[g++].len;
			if (used + glen > RFS_DIRLIST_DATA) {
				if (cnt)
					break;
				/* a group larger than a DirList: split it after all (lookup allows
				 * equal hashes to straddle two children) */
				for (g = j, glen = 0; used + glen + 5 + e[g].len <= RFS_DIRLIST_DATA; g++)
					glen += 5 + e[g].len;
			}
			for (; j < g; j++) {
				wr32(b + used, e[j].id);
				b[used + 4] = (unsigned char)e[j].len;
				memcpy(b + used + 5, e[j].name, e[j].len);
				used += 5 + e[j].len;
				cnt++;
			}
			j--;
		}
		wr16(b + RFS_DIRLIST_DATA, (uint16_t)cnt);
		wr16(b + RFS_DIRLIST_DATA + 2, (uint16_t)used);
		sl = xreallocarray(sl, ns + 1, sizeof *sl);
		sl[ns].key = e[j - 1].hash;
		sl[ns].p = putblock(w, b);
		ns++;
		nb++;
	}
	/* HTree levels until one root remains */
	while (ns > 1) {
		nup = (ns + RFS_HTREE_SLOTS - 1) / RFS_HTREE_SLOTS;
		up = xreallocarray(NULL, nup, sizeof *up);
		for (i = 0; i < nup; i++) {
			memset(b, 0, sizeof b);
			for (j = 0; j < RFS_HTREE_SLOTS; j++) {
				size_t k = i * RFS_HTREE_SLOTS + j;
				if (k < ns) {
					wr32(b + 20 * j, sl[k].key);
					wrptr(b + 20 * j + 4, sl[k].p);
					up[i].key = sl[k].key;
				} else {
					wr32(b + 20 * j, 0xFFFFFFFFu);
				}
			}
			up[i].p = putblock(w, b);
			nb++;
		}
		free(sl);
		sl = up;
		ns = nup;
		levels++;
	}
	wr64(node + RFS_N_DATA, RFS_MARKER(levels));
	wr64(node + RFS_N_DATA + 8, UINT64_MAX);
	wrptr(node + RFS_N_DATA + 16, sl[0].p);
	wr64(node + RFS_N_SIZE, (uint64_t)RFS_BLOCK * nb);
	*blocks += nb;
	free(sl);
	free(e);
}

/* ---- the whole image ---- */

static void
check_names(struct manifest *m)
{
	size_t i;
	const char *why;

	for (i = 1; i < m->nall; i++) {
		struct mnode *n = m->all[i];
		if ((why = rfs_badname(n->name, strlen(n->name))))
			fatal("%s: %s: %s", n->where, n->path, why);
	}
}

/* write the level-0 TreeLists over the nodes, then the lists above, up to the level-3 root */
static struct ptr
write_tree(struct wr *w)
{
	/* per level: the child pointers and whether each child is full, indexed by id >> 8k */
	struct { uint32_t key; struct ptr p; int full; } *cur = NULL, *nxt;
	size_t ncur = 0, nnxt, i, j;
	unsigned char b[RFS_BLOCK];
	unsigned lvl;

	/* level 0: slots are nodes; slot 0 of list 0 is id 0, reserved and full */
	cur = xreallocarray(NULL, w->nnodes + 1, sizeof *cur);
	cur[0].key = 0;
	cur[0].p.addr = cur[0].p.hash = 0;
	cur[0].full = 1;
	for (i = 0; i < w->nnodes; i++) {
		cur[i + 1].key = w->ids[i];
		cur[i + 1].p = w->nodes[i];
		cur[i + 1].full = 1;
	}
	ncur = w->nnodes + 1;
	for (lvl = 0; lvl < 4; lvl++) {
		nxt = xreallocarray(NULL, ncur, sizeof *nxt);
		nnxt = 0;
		for (i = 0; i < ncur; i = j) {
			uint32_t parent = cur[i].key >> 8;
			unsigned nfull = 0;
			memset(b, 0, sizeof b);
			for (j = i; j < ncur && cur[j].key >> 8 == parent; j++) {
				unsigned k = cur[j].key & 0xFF;
				wrptr(b + 16 * k, cur[j].p);
				if (cur[j].full) {
					b[4064 + k / 8] |= (unsigned char)(1u << (k % 8));
					nfull++;
				}
			}
			nxt[nnxt].key = parent;
			nxt[nnxt].p = putblock(w, b);
			nxt[nnxt].full = nfull == RFS_TREE_PTRS;
			nnxt++;
		}
		free(cur);
		cur = nxt;
		ncur = nnxt;
	}
	/* the level-3 list is the single root: every key is 0 by now */
	{
		struct ptr root = cur[0].p;
		free(cur);
		return root;
	}
}

/* the allocation log: every hole and the tail, as positive entries, oldest list first */
static struct ptr
write_alloc(struct wr *w)
{
	size_t nent, nlist, i, k;
	struct ptr prev = { 0, 0 };
	unsigned char b[RFS_BLOCK];
	uint64_t first;

	nent = w->ngap + (w->next < w->nblocks ? 1 : 0);
	nlist = nent ? (nent + RFS_ALLOC_ENTRIES - 1) / RFS_ALLOC_ENTRIES : 1;
	/* the lists take blocks from the end, so the holes stay as they are */
	first = w->next;
	w->next += nlist;
	if (w->next > w->nblocks)
		w->over = 1;
	if (w->next < w->nblocks)
		addgap(w, w->next, w->nblocks);
	for (k = 0, i = 0; k < nlist; k++) {
		size_t e;
		memset(b, 0, sizeof b);
		wrptr(b, prev);
		for (e = 0; e < RFS_ALLOC_ENTRIES && i < w->ngap; e++, i++) {
			wr64(b + 16 + 16 * e, w->gap[i].start);
			wr64(b + 24 + 16 * e, w->gap[i].len);
		}
		put(w, first + k, b, RFS_BLOCK);
		prev.addr = rfs_addr(first + k, 0);
		prev.hash = seahash(b, RFS_BLOCK);
	}
	return prev;
}

/* lay out and write everything; once w->over is set only w->next is meaningful afterwards */
static void
layout(struct wr *w, struct manifest *m)
{
	unsigned char node[RFS_BLOCK], hdr[RFS_BLOCK];
	struct ptr tree, alloc;
	uint32_t id = 0;
	size_t i;

	check_names(m);
	w->next = RFS_FIRST;
	w->ids = xreallocarray(NULL, m->nall, sizeof *w->ids);
	w->nodes = xreallocarray(NULL, m->nall, sizeof *w->nodes);
	w->nnodes = 0;
	for (i = 0; i < m->nall; i++)
		if (m->all[i]->type != M_HARDLINK)
			m->all[i]->id = id = next_id(id);
	for (i = 0; i < m->nall; i++) {
		struct mnode *n = m->all[i];
		uint64_t blocks = 1;
		unsigned type, reclevel = 0, links = 1;
		if (n->type == M_HARDLINK)
			continue;
		memset(node, 0, sizeof node);
		switch (n->type) {
		case M_DIR:
			type = RFS_MODE_DIR;
			write_dir(w, n, node, &blocks);
			break;
		case M_FILE:
			type = RFS_MODE_FILE;
			reclevel = RFS_FILE_RECLEVEL;
			links = n->nlink ? n->nlink : 1;
			write_data(w, n, node, reclevel, &blocks);
			break;
		default:
			type = RFS_MODE_SYMLINK;
			write_data(w, n, node, reclevel, &blocks);
			break;
		}
		wr16(node + RFS_N_MODE, (uint16_t)(type | (n->mode & 0xFFF)));
		wr32(node + RFS_N_UID, n->uid);
		wr32(node + RFS_N_GID, n->gid);
		wr32(node + RFS_N_LINKS, links);
		wr64(node + RFS_N_BLOCKS, blocks);
		wr64(node + RFS_N_CTIME, w->time);
		wr64(node + RFS_N_MTIME, w->time);
		wr64(node + RFS_N_ATIME, w->time);
		wr32(node + RFS_N_RECLEVEL, reclevel);
		w->ids[w->nnodes] = (uint32_t)n->id;
		w->nodes[w->nnodes++] = putblock(w, node);
	}
	tree = write_tree(w);
	alloc = write_alloc(w);
	if (w->over)
		return;
	memset(hdr, 0, sizeof hdr);
	memcpy(hdr + RFS_H_SIG, "RedoxFS", 8);
	wr64(hdr + RFS_H_VERSION, RFS_VERSION);
	memcpy(hdr + RFS_H_UUID, w->uuid, 16);
	wr64(hdr + RFS_H_SIZE, w->nblocks * RFS_BLOCK);
	wr64(hdr + RFS_H_GEN, 0);
	wrptr(hdr + RFS_H_TREE, tree);
	wrptr(hdr + RFS_H_ALLOC, alloc);
	wr64(hdr + RFS_H_HASH, seahash(hdr, RFS_H_ENCHASH));
	wr64(hdr + RFS_H_ENCHASH, rd64(hdr + RFS_H_HASH));
	put(w, 0, hdr, RFS_BLOCK);
}

static void
wr_free(struct wr *w)
{
	free(w->gap);
	free(w->ids);
	free(w->nodes);
}

uint64_t
rfs_write(struct manifest *m, int fd, uint64_t off, const char *name, const struct rfs_opts *o)
{
	struct wr w = { 0 };

	w.fd = fd;
	w.off = off;
	w.name = name;
	w.nblocks = o->size / RFS_BLOCK;
	w.time = o->time;
	w.uuid = o->uuid;
	w.compress = o->compress;
	w.m = m;
	pipe_start(&w, o->jobs);
	layout(&w, m);
	pipe_end(&w);
	wr_free(&w);
	return w.over ? w.next : 0;
}

/* ---- the subcommand ---- */

const char usage_redoxfs[] =
	"usage: kiln redoxfs create MANIFEST -o OUT --size N [--uuid UUID] [--no-compress] [--jobs N]\n"
	"       kiln redoxfs list IMG [--offset BYTES]\n"
	"       kiln redoxfs cat IMG PATH [--offset BYTES]\n"
	"       kiln redoxfs check IMG [--offset BYTES]\n"
	"\n"
	"create: writes a RedoxFS v8 filesystem of N bytes (K, M, G, T suffixes) holding the\n"
	"entries of MANIFEST (docs/manifest.md) to OUT, without FUSE or mounting.\n"
	"  --uuid UUID      the filesystem's UUID (default: derived from MANIFEST and OUT)\n"
	"  --no-compress    store every record as it is (default: LZ4-compressed where that\n"
	"                   takes a smaller level, as Redox's own writer does)\n"
	"  --jobs N         threads that compress (default: the online processors, at most 16);\n"
	"                   the image is the same for any N\n"
	"list: every entry of IMG (type, mode, owner, size, links, path)\n"
	"cat: the content of the file (or the target of the link) PATH of IMG on stdout\n"
	"check: verifies every hash, reference and the allocation log; one line per problem and\n"
	"a summary line last (the count, the first problem and the fix), on stderr; exit 1 when\n"
	"there is one\n"
	"  --offset BYTES   the filesystem starts BYTES into IMG (a partition of a disk)\n";

/* parse "00112233-4455-6677-8899-aabbccddeeff" (hyphens optional); 0 or -1 */
static int
parse_uuid(const char *s, unsigned char *u)
{
	int n = 0, hi = -1, v;

	for (; *s; s++) {
		if (*s == '-')
			continue;
		if ((v = hexdigit((unsigned char)*s)) < 0)
			return -1;
		if (n == 16)
			return -1;
		if (hi < 0) {
			hi = v;
		} else {
			u[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return n == 16 && hi < 0 ? 0 : -1;
}

/* a uuid derived from the manifest text and the output's file name, shaped like a v4 */
static void
derive_uuid(const char *manifest, const char *out, unsigned char *u)
{
	struct seahash h;
	const char *base = strrchr(out, '/');
	size_t len;
	char *text = read_file(manifest, &len);
	uint64_t a, b;

	if (!text)
		fatal("%s: %s", manifest, strerror(errno));
	base = base ? base + 1 : out;
	seahash_init(&h);
	seahash_update(&h, "kiln redoxfs uuid\n", 18);
	seahash_update(&h, text, len);
	seahash_update(&h, base, strlen(base) + 1);
	a = seahash_final(&h);
	seahash_update(&h, "\1", 1);
	b = seahash_final(&h);
	wr64(u, a);
	wr64(u + 8, b);
	u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
	free(text);
}

/* --jobs: at most this many threads; by default the online processors, at most 16 (past
 * that the one thread that reads and writes is the limit) */
#define MAX_JOBS 64
#define DEFAULT_JOBS_MAX 16

static unsigned
default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > DEFAULT_JOBS_MAX ? DEFAULT_JOBS_MAX : (unsigned)n;
}

static int
do_create(const char *mpath, const char *out, const char *size, const char *uuid, int compress,
          const char *jobs)
{
	struct manifest *m;
	struct rfs_opts o;
	struct afile *a;
	uint64_t need;

	const char *why;
	uint64_t nj = 0;

	if (jobs && (parse_uint(jobs, MAX_JOBS, &nj) < 0 || nj < 1))
		usage_error("--jobs %s: not a number of threads from 1 to %d", jobs, MAX_JOBS);
	if ((why = size_parse(size, &o.size)))
		fatal("--size %s: %s", size, why);
	if (uuid && parse_uuid(uuid, o.uuid) < 0)
		fatal("--uuid %s: not a UUID (32 hex digits, hyphens allowed)", uuid);
	m = manifest_load(mpath);
	if (!uuid)
		derive_uuid(mpath, out, o.uuid);
	o.time = source_date_epoch();
	o.compress = compress;
	o.jobs = nj ? (unsigned)nj : default_jobs();
	a = afile_open(out);
	if (ftruncate(a->fd, (off_t)o.size) < 0)
		fatal("%s: cannot size the image to %llu bytes: %s", out,
		      (unsigned long long)o.size, strerror(errno));
	need = rfs_write(m, a->fd, 0, out, &o);
	if (need)
		fatal("%s: image too small: --size %s gives %llu bytes, the content needs %llu bytes "
		      "(%llu blocks of 4096%s); use --size %lluK or more", out, size,
		      (unsigned long long)o.size, (unsigned long long)need * RFS_BLOCK,
		      (unsigned long long)need, compress ? ", compressed" : "",
		      (unsigned long long)need * 4);
	afile_commit(a);
	manifest_free(m);
	return 0;
}

/* open an image for list, cat and check; 0, or -1 with fs->err set when the header is bad
 * (exits 2 when the file cannot be read at all) */
/* the last line of a check that found problems: the count, the first, and the fix */
static void
check_summary(const char *img, long n, const char *first)
{
	fprintf(stderr, "%s: RedoxFS: %ld problem%s: %s%s; %s\n", img, n, n == 1 ? "" : "s",
	        n == 1 ? "" : "first: ", first, strstr(first, "no RedoxFS signature") ?
	        "not a RedoxFS image (one inside a disk needs --offset BYTES)" :
	        "write the image again (ninja image, or kiln redoxfs create)");
}

static int
open_image(struct rfs *fs, const char *img, const char *offset)
{
	uint64_t off = 0, size;
	const char *why;
	int fd;

	if (offset && (why = size_parse(offset, &off)))
		fatal("--offset %s: %s", offset, why);
	if ((fd = open_input(img, &size, &why)) < 0)
		fatal("%s: %s", img, why);
	if (size < off)
		fatal("%s: offset %llu is beyond the end of the image (%llu bytes)", img,
		      (unsigned long long)off, (unsigned long long)size);
	return rfs_open(fs, fd, NULL, size - off, off, img);
}

int
cmd_redoxfs(int argc, char *argv[])
{
	const char *pos[3], *out = NULL, *size = NULL, *uuid = NULL, *offset = NULL, *jobs = NULL, *sub;
	int npos = 0, i, rc, compress = 1;
	struct rfs fs;

	if (argc < 2)
		usage_error("which redoxfs command? create, list, cat or check");
	sub = argv[1];
	for (i = 2; i < argc; i++) {
		const char **opt = NULL, *a = argv[i];
		size_t l = 0;
		if (!strcmp(a, "-o")) opt = &out, l = 2;
		else if (!strcmp(a, "--no-compress")) { compress = 0; continue; }
		else if (!strncmp(a, "--size", 6) && (a[6] == '=' || !a[6])) opt = &size, l = 6;
		else if (!strncmp(a, "--uuid", 6) && (a[6] == '=' || !a[6])) opt = &uuid, l = 6;
		else if (!strncmp(a, "--offset", 8) && (a[8] == '=' || !a[8])) opt = &offset, l = 8;
		else if (!strncmp(a, "--jobs", 6) && (a[6] == '=' || !a[6])) opt = &jobs, l = 6;
		else if (a[0] == '-' && a[1])
			unknown_option(a);
		if (opt) {
			if (a[l] == '=')
				*opt = a + l + 1;
			else if (i + 1 < argc)
				*opt = argv[++i];
			else
				usage_error("%s needs a value", a);
			continue;
		}
		if (npos == 3)
			usage_error("unexpected argument '%s'", a);
		pos[npos++] = a;
	}
	if (!strcmp(sub, "create")) {
		if (npos != 1 || !out || !size)
			usage_error("create needs one MANIFEST, -o OUT and --size N");
		return do_create(pos[0], out, size, uuid, compress, jobs);
	}
	if (!strcmp(sub, "list") || !strcmp(sub, "check") || !strcmp(sub, "cat")) {
		if (npos != (strcmp(sub, "cat") ? 1 : 2) || out || size || uuid || jobs || !compress)
			usage_error("%s takes IMG%s and --offset only", sub, strcmp(sub, "cat") ? "" : " PATH");
		if (open_image(&fs, pos[0], offset) < 0) {
			size_t l = strlen(pos[0]);

			if (strcmp(sub, "check"))
				fatal("%s", fs.err);
			/* a bad header is a finding of the check, not bad input */
			fprintf(stderr, "%s\n", fs.err);
			check_summary(pos[0], 1, strncmp(fs.err, pos[0], l) || strncmp(fs.err + l, ": ", 2) ?
			              fs.err : fs.err + l + 2);
			return 1;
		}
		if (!strcmp(sub, "list")) {
			rc = rfs_list(&fs, stdout) < 0 ? 2 : 0;
		} else if (!strcmp(sub, "cat")) {
			rc = rfs_cat(&fs, pos[1], stdout) < 0 ? 2 : 0;
		} else {
			long n = rfs_check(&fs, stderr);
			if (n > 0)
				check_summary(pos[0], n, fs.first);
			rc = n < 0 ? 2 : n > 0;
		}
		if (rc == 2)
			error("%s", fs.err);
		if (fflush(stdout) != 0 || ferror(stdout))
			fatal("writing to standard output: %s", strerror(errno));
		rfs_close(&fs);
		return rc;
	}
	{
		static const char *const subs[] = { "create", "list", "cat", "check" };

		unknown_subcommand(sub, subs, 4);
	}
}
