/* luadata.c: a reader for data-only Lua files (see luadata.h).
 *
 * The subset: an optional first line starting with '#'; statements `local NAME = VALUE` and
 * one final `return VALUE` (each may end with ';'); VALUE is a string in quotes (the escapes
 * \a \b \f \n \r \t \v \\ \" \' \ddd \xXX \z and a backslash before a newline), an integer
 * (decimal that fits 64 bits, or hexadecimal, which wraps as in Lua; a leading minus), true,
 * false, the NAME of an earlier local, or a table constructor whose fields are `NAME = VALUE`,
 * `["string"] = VALUE` or a positional VALUE; comments `--...` and `--[==[...]==]`. Anything
 * else (nil, floats, long strings, integer keys in brackets, expressions, calls, ...) makes
 * the parse give up, and the file is run with Lua instead. */
#include <stdlib.h>
#include <string.h>

#include "luadata.h"
#include "util.h"

#define MAXDEPTH 32
#define MAXNODES 100000   /* values one chunk may build (locals are copied where used) */

/* one local of the chunk */
struct local {
	char *name;
	struct ldval v;
};

/* the parser */
struct lp {
	const char *s, *e;      /* the text left, its end */
	struct local *loc;
	size_t nloc;
	int depth;              /* tables open */
	size_t nodes;           /* values built so far */
};

static const char *const reserved[] = {
	"and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
	"in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
};

static int
isname0(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
isname1(int c)
{
	return isname0(c) || (c >= '0' && c <= '9');
}

/* the level of a long bracket at s ("[" "="* "["), or -1 */
static int
longbracket(const char *s, const char *e)
{
	int n = 0;

	if (s >= e || *s != '[')
		return -1;
	for (s++; s < e && *s == '='; s++)
		n++;
	return s < e && *s == '[' ? n : -1;
}

/* skip white space and comments; -1 on an unterminated long comment */
static int
skip(struct lp *p)
{
	for (;;) {
		while (p->s < p->e && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r' ||
		                       *p->s == '\v' || *p->s == '\f'))
			p->s++;
		if (p->e - p->s < 2 || p->s[0] != '-' || p->s[1] != '-')
			return 0;
		p->s += 2;
		{
			int lvl = longbracket(p->s, p->e);
			if (lvl >= 0) {
				const char *q = p->s + lvl + 2;
				for (; q < p->e; q++) {
					if (*q == ']' && p->e - q >= lvl + 2 && q[lvl + 1] == ']') {
						int k;
						for (k = 1; k <= lvl && q[k] == '='; k++)
							;
						if (k > lvl)
							break;
					}
				}
				if (q >= p->e)
					return -1;
				p->s = q + lvl + 2;
				continue;
			}
		}
		while (p->s < p->e && *p->s != '\n')
			p->s++;
	}
}

/* a name at p->s: its length (0 when there is none) */
static size_t
namelen(const struct lp *p)
{
	const char *q = p->s;

	if (q >= p->e || !isname0((unsigned char)*q))
		return 0;
	while (q < p->e && isname1((unsigned char)*q))
		q++;
	return (size_t)(q - p->s);
}

/* is the name at p->s exactly word? */
static int
isword(const struct lp *p, const char *word)
{
	size_t n = namelen(p);

	return n == strlen(word) && !memcmp(p->s, word, n);
}

static int
isreserved(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strlen(reserved[i]) == n && !memcmp(reserved[i], s, n))
			return 1;
	return 0;
}

/* a quoted string */
static int
string(struct lp *p, struct ldval *v)
{
	char q = *p->s++;
	struct buf b = { 0 };

	buf_puts(&b, "");
	while (p->s < p->e && *p->s != q) {
		char c = *p->s++;
		if (c == '\n' || c == '\r')
			goto fail;
		if (c != '\\') {
			buf_putc(&b, c);
			continue;
		}
		if (p->s >= p->e)
			goto fail;
		c = *p->s++;
		switch (c) {
		case 'a': buf_putc(&b, '\a'); break;
		case 'b': buf_putc(&b, '\b'); break;
		case 'f': buf_putc(&b, '\f'); break;
		case 'n': case '\n': buf_putc(&b, '\n'); break;
		case 'r': buf_putc(&b, '\r'); break;
		case 't': buf_putc(&b, '\t'); break;
		case 'v': buf_putc(&b, '\v'); break;
		case '\\': case '"': case '\'': buf_putc(&b, c); break;
		case 'z':
			while (p->s < p->e && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' ||
			                       *p->s == '\r' || *p->s == '\v' || *p->s == '\f'))
				p->s++;
			break;
		case 'x': {
			int h, l;
			if (p->e - p->s < 2 || (h = hexdigit((unsigned char)p->s[0])) < 0 ||
			    (l = hexdigit((unsigned char)p->s[1])) < 0)
				goto fail;
			buf_putc(&b, (char)(h << 4 | l));
			p->s += 2;
			break;
		}
		default:
			if (c >= '0' && c <= '9') {
				int n = c - '0', k;
				for (k = 1; k < 3 && p->s < p->e && *p->s >= '0' && *p->s <= '9'; k++)
					n = n * 10 + (*p->s++ - '0');
				if (n > 255)
					goto fail;
				buf_putc(&b, (char)n);
				break;
			}
			goto fail;   /* \u{...}, a newline after \r, or an invalid escape */
		}
	}
	if (p->s >= p->e)
		goto fail;
	p->s++;
	v->type = LD_STR;
	v->s = b.s;
	return 0;
fail:
	buf_free(&b);
	return -1;
}

/* an integer literal, with an optional minus before it */
static int
number(struct lp *p, struct ldval *v)
{
	int neg = 0;
	uint64_t x = 0;

	if (*p->s == '-') {
		neg = 1;
		p->s++;
		if (skip(p) < 0 || p->s >= p->e || *p->s < '0' || *p->s > '9')
			return -1;
	}
	if (p->e - p->s > 2 && p->s[0] == '0' && (p->s[1] == 'x' || p->s[1] == 'X') &&
	    hexdigit((unsigned char)p->s[2]) >= 0) {
		for (p->s += 2; p->s < p->e && hexdigit((unsigned char)*p->s) >= 0; p->s++)
			x = x << 4 | (uint64_t)hexdigit((unsigned char)*p->s);   /* wraps, as Lua's do */
	} else {
		for (; p->s < p->e && *p->s >= '0' && *p->s <= '9'; p->s++) {
			if (x > (UINT64_C(0x7FFFFFFFFFFFFFFF) - (uint64_t)(*p->s - '0')) / 10)
				return -1;   /* a float in Lua */
			x = x * 10 + (uint64_t)(*p->s - '0');
		}
	}
	/* a radix point, an exponent or letters glued on: not an integer of the subset */
	if (p->s < p->e && (isname1((unsigned char)*p->s) || *p->s == '.'))
		return -1;
	v->type = LD_INT;
	v->i = (int64_t)(neg ? 0 - x : x);
	return 0;
}

static int value(struct lp *p, struct ldval *v);

/* the number of values in v */
static size_t
count(const struct ldval *v)
{
	size_t i, n = 1;

	if (v->type == LD_TABLE)
		for (i = 0; i < v->n; i++)
			n += count(&v->kv[i].key) + count(&v->kv[i].val);
	return n;
}

/* a copy of v (locals are copied where they are used) */
static void
copy(struct ldval *dst, const struct ldval *src)
{
	size_t i;

	*dst = *src;
	if (src->type == LD_STR) {
		dst->s = xstrdup(src->s);
	} else if (src->type == LD_TABLE) {
		dst->kv = xreallocarray(NULL, src->n + 1, sizeof *dst->kv);
		for (i = 0; i < src->n; i++) {
			copy(&dst->kv[i].key, &src->kv[i].key);
			copy(&dst->kv[i].val, &src->kv[i].val);
		}
	}
}

static int
samekey(const struct ldval *a, const struct ldval *b)
{
	if (a->type != b->type)
		return 0;
	return a->type == LD_STR ? !strcmp(a->s, b->s) : a->i == b->i;
}

/* set t[k] = v (a later field for the same key wins, as in Lua); takes k and v */
static void
tset(struct ldval *t, struct ldval *k, struct ldval *v)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (samekey(&t->kv[i].key, k)) {
			luadata_free(k);
			luadata_free(&t->kv[i].val);
			t->kv[i].val = *v;
			return;
		}
	}
	t->kv = xreallocarray(t->kv, t->n + 1, sizeof *t->kv);
	t->kv[t->n].key = *k;
	t->kv[t->n].val = *v;
	t->n++;
}

/* a table constructor */
static int
table(struct lp *p, struct ldval *t)
{
	int64_t pos = 0;

	if (++p->depth > MAXDEPTH)
		return -1;
	p->s++;
	t->type = LD_TABLE;
	for (;;) {
		struct ldval k = { 0 }, v = { 0 };
		size_t n;
		if (skip(p) < 0 || p->s >= p->e)
			return -1;
		if (*p->s == '}')
			break;
		if (*p->s == '[') {
			if (longbracket(p->s, p->e) >= 0)
				return -1;
			p->s++;
			if (skip(p) < 0 || p->s >= p->e || (*p->s != '"' && *p->s != '\'') || string(p, &k) < 0)
				return -1;
			if (skip(p) < 0 || p->s >= p->e || *p->s != ']') {
				luadata_free(&k);
				return -1;
			}
			p->s++;
			if (skip(p) < 0 || p->s >= p->e || *p->s != '=' || (p->e - p->s > 1 && p->s[1] == '=')) {
				luadata_free(&k);
				return -1;
			}
			p->s++;
		} else if ((n = namelen(p)) && !isreserved(p->s, n)) {
			const char *save = p->s;
			p->s += n;
			if (skip(p) == 0 && p->s < p->e && *p->s == '=' && !(p->e - p->s > 1 && p->s[1] == '=')) {
				k.type = LD_STR;
				k.s = xmalloc(n + 1);
				memcpy(k.s, save, n);
				k.s[n] = 0;
				p->s++;
			} else {
				p->s = save;   /* a positional value that names a local */
			}
		}
		if (value(p, &v) < 0) {
			luadata_free(&k);
			return -1;
		}
		if (k.type == LD_NIL) {
			k.type = LD_INT;
			k.i = ++pos;
		}
		tset(t, &k, &v);
		if (skip(p) < 0 || p->s >= p->e)
			return -1;
		if (*p->s == ',' || *p->s == ';')
			p->s++;
		else if (*p->s != '}')
			return -1;
	}
	p->s++;
	p->depth--;
	return 0;
}

/* any value of the subset */
static int
value(struct lp *p, struct ldval *v)
{
	size_t n, i;

	memset(v, 0, sizeof *v);
	if (skip(p) < 0 || p->s >= p->e || ++p->nodes > MAXNODES)
		return -1;
	if (*p->s == '"' || *p->s == '\'')
		return string(p, v);
	if (*p->s == '-' || (*p->s >= '0' && *p->s <= '9'))
		return number(p, v);
	if (*p->s == '{') {
		if (table(p, v) < 0) {
			luadata_free(v);
			return -1;
		}
		return 0;
	}
	if (isword(p, "true") || isword(p, "false")) {
		v->type = LD_BOOL;
		v->b = *p->s == 't';
		p->s += v->b ? 4 : 5;
		return 0;
	}
	if (!(n = namelen(p)) || isreserved(p->s, n))
		return -1;
	for (i = p->nloc; i-- > 0;) {
		if (strlen(p->loc[i].name) == n && !memcmp(p->loc[i].name, p->s, n)) {
			p->nodes += count(&p->loc[i].v);
			if (p->nodes > MAXNODES)
				return -1;   /* a chain of copies that doubles: let Lua (and its limits) judge */
			p->s += n;
			copy(v, &p->loc[i].v);
			return 0;
		}
	}
	return -1;   /* a global: not data */
}

/* after a statement's value: only the end, ';', or the next statement may follow */
static int
statement_end(struct lp *p)
{
	if (skip(p) < 0)
		return -1;
	if (p->s < p->e && *p->s == ';') {
		p->s++;
		if (skip(p) < 0)
			return -1;
	}
	return p->s >= p->e || isword(p, "local") || isword(p, "return") ? 0 : -1;
}

static int
chunk(struct lp *p, struct ldval *out)
{
	size_t n;

	if (p->s < p->e && *p->s == '#')
		while (p->s < p->e && *p->s != '\n')
			p->s++;
	for (;;) {
		if (skip(p) < 0 || p->s >= p->e)
			return -1;   /* no return: Lua says what is wrong */
		if (isword(p, "return")) {
			p->s += 6;
			if (value(p, out) < 0)
				return -1;
			if (statement_end(p) < 0 || p->s < p->e) {
				luadata_free(out);
				return -1;
			}
			return 0;
		}
		if (!isword(p, "local"))
			return -1;
		p->s += 5;
		if (skip(p) < 0 || !(n = namelen(p)) || isreserved(p->s, n))
			return -1;
		p->loc = xreallocarray(p->loc, p->nloc + 1, sizeof *p->loc);
		p->loc[p->nloc].name = xmalloc(n + 1);
		memcpy(p->loc[p->nloc].name, p->s, n);
		p->loc[p->nloc].name[n] = 0;
		p->s += n;
		if (skip(p) < 0 || p->s >= p->e || *p->s != '=' || (p->e - p->s > 1 && p->s[1] == '=')) {
			free(p->loc[p->nloc].name);
			return -1;
		}
		p->s++;
		/* the value is read before the local exists: `local x = x` names an outer x */
		if (value(p, &p->loc[p->nloc].v) < 0) {
			free(p->loc[p->nloc].name);
			return -1;
		}
		p->nloc++;
		if (statement_end(p) < 0)
			return -1;
	}
}

int
luadata_parse(const char *text, size_t len, struct ldval *out)
{
	struct lp p;
	size_t i;
	int rc;

	memset(&p, 0, sizeof p);
	memset(out, 0, sizeof *out);
	p.s = text;
	p.e = text + len;
	rc = chunk(&p, out);
	for (i = 0; i < p.nloc; i++) {
		free(p.loc[i].name);
		luadata_free(&p.loc[i].v);
	}
	free(p.loc);
	return rc;
}

const struct ldval *
luadata_get(const struct ldval *t, const char *k)
{
	size_t i;

	if (t->type != LD_TABLE)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (t->kv[i].key.type == LD_STR && !strcmp(t->kv[i].key.s, k))
			return &t->kv[i].val;
	return NULL;
}

const char *
luadata_typename(const struct ldval *v)
{
	switch (v->type) {
	case LD_NIL: return "nil";
	case LD_BOOL: return "boolean";
	case LD_INT: case LD_FLOAT: return "number";
	case LD_STR: return "string";
	case LD_TABLE: return "table";
	}
	return v->tname ? v->tname : "value";
}

void
luadata_free(struct ldval *v)
{
	size_t i;

	if (v->type == LD_STR)
		free(v->s);
	if (v->type == LD_TABLE) {
		for (i = 0; i < v->n; i++) {
			luadata_free(&v->kv[i].key);
			luadata_free(&v->kv[i].val);
		}
		free(v->kv);
	}
	memset(v, 0, sizeof *v);
}
