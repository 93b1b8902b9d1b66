/* manifest.c: parse and validate manifests (docs/manifest.md) into a sorted tree */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "manifest.h"
#include "util.h"

#define MAX_PATH_LEN 4095
#define MAX_NAME_LEN 255

struct parser {
	const char *name;   /* manifest file name for messages */
	size_t line;
	struct manifest *m;
	struct mnode **flat;  /* entries in file order, before the tree is built */
	size_t nflat;
};

/* print "argv0: WHERE: message" on one line and exit 2. Paths and fields quoted in a message
 * may hold any byte: control bytes are shown as the manifest's own escapes, so that the
 * message stays one line and the terminal shows what the file holds. */
static _Noreturn void
verr(const char *where, const char *fmt, va_list ap)
{
	static const char hex[] = "0123456789abcdef";
	struct buf b = {0}, e = {0};
	va_list aq;
	int n;
	size_t i;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	buf_grow(&b, n > 0 ? (size_t)n : 0);
	if (n > 0)
		vsnprintf(b.s, (size_t)n + 1, fmt, ap);
	b.len = n > 0 ? (size_t)n : 0;
	for (i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.s[i];

		if (c == '\n') buf_puts(&e, "\\n");
		else if (c == '\r') buf_puts(&e, "\\r");
		else if (c == '\t') buf_puts(&e, "\\t");
		else if (c < 0x20 || c == 0x7f) {
			buf_puts(&e, "\\x");
			buf_putc(&e, hex[c >> 4]);
			buf_putc(&e, hex[c & 15]);
		} else buf_putc(&e, c);
	}
	fflush(stdout);
	fprintf(stderr, "%s: %s: %s\n", argv0, where, e.s ? e.s : "");
	exit(2);
}

/* a bad entry at WHERE ("file:line" of an earlier entry) */
static _Noreturn void
werr(const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(where, fmt, ap);
}

/* a bad line: the parser's current line */
static _Noreturn void
perr(struct parser *p, const char *fmt, ...)
{
	char where[64 + 4096];
	va_list ap;

	snprintf(where, sizeof where, "%s:%zu", p->name, p->line);
	va_start(ap, fmt);
	verr(where, fmt, ap);
}

/* split the next whitespace-separated field off *s and unescape it into b; 0 at end of line */
static int
field(struct parser *p, const char **s, struct buf *b)
{
	const char *c = *s;
	int h, l;

	b->len = 0;
	buf_grow(b, 0);
	b->s[0] = '\0';
	while (*c == ' ' || *c == '\t')
		c++;
	if (*c == '\0')
		return 0;
	while (*c && *c != ' ' && *c != '\t') {
		if (*c != '\\') {
			buf_putc(b, *c++);
			continue;
		}
		c++;
		switch (*c) {
		case '\\': buf_putc(b, '\\'); break;
		case 's': buf_putc(b, ' '); break;
		case 't': buf_putc(b, '\t'); break;
		case 'n': buf_putc(b, '\n'); break;
		case 'r': buf_putc(b, '\r'); break;
		case 'x':
			if ((h = hexdigit(c[1])) < 0 || (l = hexdigit(c[2])) < 0)
				perr(p, "bad escape '\\x%.2s': expected two hex digits", c + 1);
			buf_putc(b, h << 4 | l);
			c += 2;
			break;
		case '\0': perr(p, "line ends with a lone backslash");
		default: perr(p, "unknown escape '\\%c' (known: \\\\ \\s \\t \\n \\r \\xHH)", *c);
		}
		c++;
	}
	*s = c;
	return 1;
}

/* check that path is absolute and normal: no empty, "." or ".." components, no trailing '/' */
static void
checkpath(struct parser *p, const char *path, size_t len)
{
	const char *c, *e, *end = path + len;

	if (memchr(path, '\0', len))
		perr(p, "path contains a NUL byte");
	if (len == 0 || path[0] != '/')
		perr(p, "path '%s' is not absolute (it must start with '/')", path);
	if (len > MAX_PATH_LEN)
		perr(p, "path is %zu bytes long; the limit is %d", len, MAX_PATH_LEN);
	if (len == 1)
		return;
	for (c = path + 1; c <= end; c = e + 1) {
		e = memchr(c, '/', (size_t)(end - c));
		if (!e)
			e = end;
		if (e == c)
			perr(p, "path '%s' has an empty component (a doubled or trailing '/')", path);
		if ((e - c == 1 && c[0] == '.') || (e - c == 2 && c[0] == '.' && c[1] == '.'))
			perr(p, "path '%s' has a '.' or '..' component", path);
		if (e - c > MAX_NAME_LEN)
			perr(p, "path '%s': the name '%.*s...' is %zu bytes long; the limit is %d", path,
			     20, c, (size_t)(e - c), MAX_NAME_LEN);
	}
}

static unsigned long
number(struct parser *p, const char *what, const char *s, int base, unsigned long max)
{
	unsigned long v = 0;
	const char *c;
	int d;

	if (!*s)
		perr(p, "missing %s", what);
	for (c = s; *c; c++) {
		d = *c - '0';
		if (d < 0 || d >= base)
			perr(p, "%s '%s' is not a %s number", what, s, base == 8 ? "octal" : "decimal");
		if (v > (max - (unsigned long)d) / (unsigned long)base)
			perr(p, "%s '%s' is too large (at most %lu)", what, s, max);
		v = v * (unsigned long)base + (unsigned long)d;
	}
	return v;
}

static struct mnode *
newnode(const char *path, size_t len)
{
	struct mnode *n = xcalloc(1, sizeof *n);
	const char *slash;

	n->path = xstrndup(path, len);
	slash = strrchr(n->path, '/');
	n->name = xstrdup(slash ? slash + 1 : n->path);
	return n;
}

static void
parseline(struct parser *p, const char *s)
{
	struct buf f = {0};
	struct mnode *n;
	const char *type;
	enum mtype t;

	if (!field(p, &s, &f) || f.s[0] == '#') {
		buf_free(&f);
		return;
	}
	if (!strcmp(f.s, "dir")) t = M_DIR;
	else if (!strcmp(f.s, "file")) t = M_FILE;
	else if (!strcmp(f.s, "symlink")) t = M_SYMLINK;
	else if (!strcmp(f.s, "hardlink")) t = M_HARDLINK;
	else perr(p, "unknown entry type '%s' (known: dir, file, symlink, hardlink)", f.s);
	type = t == M_DIR ? "dir" : t == M_FILE ? "file" : t == M_SYMLINK ? "symlink" : "hardlink";
	if (!field(p, &s, &f))
		perr(p, "%s entry without a path", type);
	checkpath(p, f.s, f.len);
	n = newnode(f.s, f.len);
	n->type = t;
	n->where = xasprintf("%s:%zu", p->name, p->line);
	if (t == M_HARDLINK) {
		if (!field(p, &s, &f))
			perr(p, "hardlink %s: missing the path of the file it links to", n->path);
		checkpath(p, f.s, f.len);
		n->data = xstrndup(f.s, f.len);
		n->datalen = f.len;
		goto done;
	}
	if (!field(p, &s, &f))
		perr(p, "%s %s: missing mode", type, n->path);
	n->mode = (unsigned)number(p, "mode", f.s, 8, 07777);
	if (!field(p, &s, &f))
		perr(p, "%s %s: missing uid", type, n->path);
	n->uid = (uint32_t)number(p, "uid", f.s, 10, 0xFFFFFFFFul);
	if (!field(p, &s, &f))
		perr(p, "%s %s: missing gid", type, n->path);
	n->gid = (uint32_t)number(p, "gid", f.s, 10, 0xFFFFFFFFul);
	if (t == M_DIR)
		goto done;
	if (!field(p, &s, &f))
		perr(p, "%s %s: missing %s", type, n->path,
		     t == M_FILE ? "content (src:FILE or data:TEXT)" : "link target");
	if (t == M_SYMLINK) {
		if (f.len == 0)
			perr(p, "symlink %s: empty target", n->path);
		n->data = xstrndup(f.s, f.len);
		n->datalen = f.len;
	} else if (!strncmp(f.s, "src:", 4)) {
		struct stat st;

		n->src = xstrdup(f.s + 4);
		if (!*n->src)
			perr(p, "file %s: empty source path after 'src:'", n->path);
		if (stat(n->src, &st) != 0)
			perr(p, "file %s: source '%s': %s", n->path, n->src, strerror(errno));
		if (!S_ISREG(st.st_mode))
			perr(p, "file %s: source '%s' is not a regular file", n->path, n->src);
		n->size = (uint64_t)st.st_size;
	} else if (!strncmp(f.s, "data:", 5)) {
		n->datalen = f.len - 5;
		n->data = xmalloc(n->datalen + 1);
		memcpy(n->data, f.s + 5, n->datalen + 1);
		n->size = n->datalen;
	} else {
		perr(p, "file %s: content must be src:FILE or data:TEXT, not '%s'", n->path, f.s);
	}
done:
	if (field(p, &s, &f))
		perr(p, "unexpected extra field '%s' after the %s entry %s", f.s, type, n->path);
	buf_free(&f);
	p->flat = xreallocarray(p->flat, p->nflat + 1, sizeof *p->flat);
	p->flat[p->nflat++] = n;
}

static int
cmppath(const void *a, const void *b)
{
	const struct mnode *x = *(struct mnode *const *)a, *y = *(struct mnode *const *)b;

	return strcmp(x->path, y->path);
}

static int
cmpname(const void *a, const void *b)
{
	const struct mnode *x = *(struct mnode *const *)a, *y = *(struct mnode *const *)b;

	return strcmp(x->name, y->name);
}

/* the child of d named name[0..len), by binary search: a parsed manifest's children are
 * sorted by name (flatten), and a directory may hold 65,536 of them */
static struct mnode *
findchild(struct mnode *d, const char *name, size_t len)
{
	size_t lo = 0, hi = d->nchild;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *c = d->child[mid]->name;
		int r = strncmp(c, name, len);

		if (r == 0 && c[len] == '\0')
			return d->child[mid];
		if (r >= 0) /* c sorts after name (r == 0: c is the longer) */
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void
addchild(struct mnode *d, struct mnode *c)
{
	if ((d->nchild & (d->nchild - 1)) == 0)
		d->child = xreallocarray(d->child, d->nchild ? d->nchild * 2 : 1, sizeof *d->child);
	d->child[d->nchild++] = c;
	c->parent = d;
}

static void
flatten(struct manifest *m, struct mnode *n, size_t *cap)
{
	size_t i;

	if (m->nall == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		m->all = xreallocarray(m->all, *cap, sizeof *m->all);
	}
	m->all[m->nall++] = n;
	if (n->type == M_FILE)
		m->total += n->size;
	if (n->type == M_DIR) {
		if (n->nchild)  /* an empty directory has no child array: qsort(NULL, 0) is undefined */
			qsort(n->child, n->nchild, sizeof *n->child, cmpname);
		for (i = 0; i < n->nchild; i++)
			flatten(m, n->child[i], cap);
	}
}

struct manifest *
manifest_parse(const char *name, const char *text, size_t len)
{
	struct parser p = { .name = name };
	struct manifest *m = xcalloc(1, sizeof *m);
	const char *c = text, *end = text + len, *nl;
	size_t i, cap = 0;
	char *line;
	int header = 0;
	/* the entries by path while the tree is built: a directory of 65,536 files must not cost a
	 * scan of its children per entry */
	struct strmap tab = {0};

	p.m = m;
	m->path = xstrdup(name);
	for (; c < end; c = nl + 1) {
		p.line++;
		nl = memchr(c, '\n', (size_t)(end - c));
		if (!nl)
			nl = end;
		/* CRLF line ends (a manifest edited on Windows) are line ends too: a carriage
		 * return inside a field is always written \r */
		line = xstrndup(c, (size_t)(nl - c - (nl > c && nl[-1] == '\r')));
		if (memchr(c, '\0', (size_t)(nl - c)))
			perr(&p, "line contains a NUL byte");
		if (!header) {
			char *s = line;

			while (*s == ' ' || *s == '\t')
				s++;
			if (*s && *s != '#') {
				if (strcmp(s, "kiln-manifest 1") != 0)
					perr(&p, "not a kiln manifest: the first line must be 'kiln-manifest 1'");
				header = 1;
			}
		} else {
			parseline(&p, line);
		}
		free(line);
	}
	if (!header) {
		p.line = 1;
		perr(&p, "empty file: a manifest starts with the line 'kiln-manifest 1'");
	}

	/* duplicates are found on the sorted list; parents are created on demand */
	if (p.nflat)
		qsort(p.flat, p.nflat, sizeof *p.flat, cmppath);
	m->root = newnode("/", 1);
	m->root->name[0] = '\0';
	m->root->type = M_DIR;
	m->root->mode = 0755;
	m->root->where = xstrdup("(implicit)");
	strmap_put(&tab, m->root->path, 1, m->root);
	for (i = 0; i < p.nflat; i++) {
		struct mnode *n = p.flat[i], *d = m->root, *c;
		const char *s = n->path + 1, *e;

		if (i > 0 && !strcmp(p.flat[i - 1]->path, n->path)) {
			werr(n->where, "duplicate entry %s (first declared at %s)", n->path, p.flat[i - 1]->where);
		}
		if (!strcmp(n->path, "/")) {
			if (n->type != M_DIR) {
				werr(n->where, "the root '/' must be a dir entry");
			}
			m->root->mode = n->mode;
			m->root->uid = n->uid;
			m->root->gid = n->gid;
			free(m->root->where);
			m->root->where = xstrdup(n->where);
			continue;
		}
		/* walk the directories above n, creating missing ones */
		while ((e = strchr(s, '/'))) {
			c = strmap_get(&tab, n->path, (size_t)(e - n->path));
			if (!c) {
				c = newnode(n->path, (size_t)(e - n->path));
				c->type = M_DIR;
				c->mode = 0755;
				c->where = xstrdup("(implicit)");
				addchild(d, c);
				strmap_put(&tab, c->path, (size_t)(e - n->path), c);
			} else if (c->type != M_DIR) {
				werr(n->where, "%s needs %s to be a directory, but %s declares it a %s", n->path,
				     c->path, c->where,
				     c->type == M_FILE ? "file" : c->type == M_SYMLINK ? "symlink" : "hardlink");
			}
			d = c;
			s = e + 1;
		}
		c = strmap_get(&tab, n->path, strlen(n->path));
		if (c) {
			/* an implicit parent created earlier, now declared explicitly (sort order puts
			 * "/a" before "/a/b", so this only happens for directories) */
			werr(n->where, "duplicate entry %s (also at %s)", n->path, c->where);
		}
		addchild(d, n);
		strmap_put(&tab, n->path, strlen(n->path), n);
	}
	strmap_free(&tab);
	/* resolve hard links now that every entry is known */
	for (i = 0; i < p.nflat; i++) {
		struct mnode *n = p.flat[i], *t;
		size_t lo = 0, hi = p.nflat;

		if (n->type != M_HARDLINK)
			continue;
		t = NULL;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int r = strcmp(p.flat[mid]->path, n->data);

			if (r == 0) { t = p.flat[mid]; break; }
			if (r < 0) lo = mid + 1; else hi = mid;
		}
		if (!t || t->type != M_FILE) {
			werr(n->where, "hardlink %s: %s is not a file entry of this manifest", n->path, n->data);
		}
		n->target = t;
	}
	for (i = 0; i < p.nflat; i++)
		if (p.flat[i]->type == M_FILE)
			p.flat[i]->nlink = 1;
	for (i = 0; i < p.nflat; i++)
		if (p.flat[i]->type == M_HARDLINK)
			p.flat[i]->target->nlink++;
	free(p.flat);
	flatten(m, m->root, &cap);
	return m;
}

struct manifest *
manifest_load(const char *path)
{
	struct manifest *m;
	const char *why;
	size_t len;
	char *text;

	if (!(text = (char *)read_input(path, &len, &why)))
		fatal("%s: cannot read manifest: %s", path, why);
	m = manifest_parse(path, text, len);
	free(text);
	return m;
}

void
manifest_free(struct manifest *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nall; i++) {
		struct mnode *n = m->all[i];

		free(n->name);
		free(n->path);
		free(n->src);
		free(n->data);
		free(n->child);
		free(n->where);
		free(n);
	}
	free(m->all);
	free(m->path);
	free(m);
}

struct mnode *
manifest_lookup(struct manifest *m, const char *path)
{
	struct mnode *d = m->root;
	const char *s, *e;

	if (path[0] != '/')
		return NULL;
	for (s = path + 1; *s; s = *e ? e + 1 : e) {
		e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		if (e == s)
			continue;
		if (d->type != M_DIR)
			return NULL;
		d = findchild(d, s, (size_t)(e - s));
		if (!d)
			return NULL;
	}
	return d;
}

FILE *
mnode_open(struct mnode *n)
{
	FILE *f;

	if (n->type == M_HARDLINK)
		n = n->target;
	if (n->type != M_FILE)
		fatal("%s: %s is not a file", n->where, n->path);
	if (!n->src) {
		f = tmpfile();
		if (!f || fwrite(n->data, 1, n->datalen, f) != n->datalen || fseek(f, 0, SEEK_SET) != 0)
			fatal("%s: %s: cannot buffer inline data: %s", n->where, n->path, strerror(errno));
		return f;
	}
	f = fopen(n->src, "rb");
	if (!f)
		fatal("%s: %s: cannot open source '%s': %s", n->where, n->path, n->src, strerror(errno));
	return f;
}

void
mnode_copy(struct mnode *n, int fd, uint64_t off, const char *out)
{
	static unsigned char tmp[1 << 16];
	struct mnode *t = n->type == M_HARDLINK ? n->target : n;
	FILE *f = mnode_open(t);
	uint64_t left = t->size;
	size_t got;

	while (left > 0) {
		got = fread(tmp, 1, left < sizeof tmp ? (size_t)left : sizeof tmp, f);
		if (got == 0)
			break;
		xpwrite(fd, tmp, got, off, out);
		off += got;
		left -= got;
	}
	if (ferror(f))
		fatal("%s: %s: read error on '%s'", t->where, t->path, t->src ? t->src : "(inline)");
	if (left > 0 || fgetc(f) != EOF)
		fatal("%s: %s: source '%s' changed size while the image was written", t->where, t->path,
		      t->src ? t->src : "(inline)");
	fclose(f);
}

char *
mnode_read_all(struct mnode *n, size_t *len)
{
	char *p;

	if (n->type == M_HARDLINK)
		n = n->target;
	if (!n->src) {
		p = xmalloc(n->datalen + 1);
		memcpy(p, n->data, n->datalen);
		p[n->datalen] = '\0';
		*len = n->datalen;
		return p;
	}
	p = read_file(n->src, len);
	if (!p)
		fatal("%s: %s: cannot read source '%s': %s", n->where, n->path, n->src, strerror(errno));
	if (*len != n->size)
		fatal("%s: %s: source '%s' changed size while the image was written (%llu, now %zu bytes)",
		      n->where, n->path, n->src, (unsigned long long)n->size, *len);
	return p;
}

void
manifest_escape(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '\\': buf_puts(b, "\\\\"); break;
		case ' ': buf_puts(b, "\\s"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f || c == '#') {
				buf_puts(b, "\\x");
				buf_putc(b, hex[c >> 4]);
				buf_putc(b, hex[c & 15]);
			} else {
				buf_putc(b, c);
			}
		}
	}
}
