/* lua_limits.c: the time and memory limits of kiln gen (see lua_host.h).
 *
 * Memory: every allocation of the Lua state goes through limits_alloc, which refuses to grow
 * past the limit; Lua then raises a memory error. Time: a timer fires at the deadline, and its
 * handler installs a count hook (lua_sethook may be called from a signal handler; until then
 * no hook slows the interpreter down), which raises the error at the next instruction. Both
 * note the plugin file:line that was running and make the error sticky: the hook fires at
 * every instruction and raises again, so a plugin cannot catch the error with pcall and go
 * on. A plugin stuck inside one library call (a pattern that backtracks without end) runs no
 * instructions, so the timer fires again two seconds later, names the plugin line that made
 * the call and ends the process. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE, where there is one */
#include <signal.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua_host.h"
#include "util.h"

#define GRACE 2.0                /* seconds the hook gets to stop the plugins before the exit */
#define RESERVE (8u << 20)       /* bytes allowed past the limit once it is hit: the error
                                  * messages and the unwinding need a little memory */

static struct host *armed;               /* the host the timer reports on */
static volatile sig_atomic_t fired;      /* how often the timer fired: 1 deadline, 2 stuck */

/* remember the plugin line running now, for the message */
static void
snapshot(struct host *h)
{
	if (h->L)
		host_where(h, h->L, h->lim.where, sizeof h->lim.where);
}

static void hook(lua_State *L, lua_Debug *ar);

/* a limit was hit: compose the message once, and make every later instruction raise it */
static void
hit(struct host *h, int which)
{
	const char *where = h->lim.where;

	if (h->lim.hit)
		return;
	h->lim.hit = which;
	if (which == 'm')
		snprintf(h->lim.msg, sizeof h->lim.msg,
		         "%s: kiln gen ran out of memory: the plugins need more than the limit of %zu MiB "
		         "(a huge string or table?); if they really need more, raise the limit with "
		         "--gen-memory-limit=SIZE", where, h->lim.bytes >> 20);
	else
		snprintf(h->lim.msg, sizeof h->lim.msg,
		         "%s: kiln gen ran for more than %g s, the time limit (an endless loop?); if the "
		         "plugins really need longer, raise the limit with --gen-time-limit=SECONDS",
		         where, h->lim.seconds);
	if (h->L)
		lua_sethook(h->L, hook, LUA_MASKCOUNT, 1);
}

static void
hook(lua_State *L, lua_Debug *ar)
{
	struct host *h = *(struct host **)lua_getextraspace(L);

	(void)ar;
	if (!h->lim.hit) {
		if (!fired)
			return;
		snapshot(h);
		hit(h, 't');
	}
	lua_pushstring(L, h->lim.msg);
	lua_error(L);
}

/* Small blocks (most of what Lua allocates: strings, tables, closures) come from per-size
 * free lists carved out of 2 MiB chunks: no malloc bookkeeping, blocks of one run lie next to
 * each other, and a chunk is one huge page where the system offers them (madvise), so that the
 * collector's walks over a large heap do not miss the TLB at every step. Lua passes the size
 * of every block it frees or resizes, so the size class is known. */
#define SMALL 256                /* largest block served from the free lists */
#define CLASS(n) (((n) + 15) / 16)
#define CHUNK (2u << 20)         /* one huge page where the system has them */

static void *freelist[CLASS(SMALL) + 1]; /* per size class: freed blocks, linked through their first word */
static char *bump, *bumpend;             /* the rest of the current chunk */

static void *
small_alloc(size_t n)
{
	size_t c = CLASS(n), sz = c * 16;
	void *p = freelist[c];

	if (p) {
		freelist[c] = *(void **)p;
		return p;
	}
	if ((size_t)(bumpend - bump) < sz) {
		void *c;

		if (posix_memalign(&c, CHUNK, CHUNK) != 0)
			return NULL;
#ifdef MADV_HUGEPAGE
		madvise(c, CHUNK, MADV_HUGEPAGE);
#endif
		bump = c;
		bumpend = bump + CHUNK;
	}
	p = bump;
	bump += sz;
	return p;
}

static void
small_free(void *p, size_t n)
{
	size_t c = CLASS(n);

	*(void **)p = freelist[c];
	freelist[c] = p;
}

/* resize a block of old bytes (0: none) to n bytes (0: free it) */
static void *
resize(void *ptr, size_t old, size_t n)
{
	void *p;

	if (old <= SMALL && n <= SMALL && old && n && CLASS(old) == CLASS(n))
		return ptr;
	if (old > SMALL && n > SMALL)
		return realloc(ptr, n);
	if (n == 0) {
		if (old > SMALL)
			free(ptr);
		else if (old)
			small_free(ptr, old);
		return NULL;
	}
	p = n <= SMALL ? small_alloc(n) : malloc(n);
	if (!p)
		return NULL;
	if (old) {
		memcpy(p, ptr, old < n ? old : n);
		resize(ptr, old, 0);
	}
	return p;
}

void *
limits_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct host *h = ud;
	size_t old = ptr ? osize : 0, cap;
	void *p;

	if (nsize == 0) {
		resize(ptr, old, 0);
		h->lim.used -= old;
		return NULL;
	}
	cap = h->lim.bytes + (h->lim.hit ? RESERVE : 0);
	if (nsize > old && (nsize - old > cap || h->lim.used + (nsize - old) > cap)) {
		if (!h->lim.hit) {
			snapshot(h);
			hit(h, 'm');
		}
		return NULL;
	}
	p = resize(ptr, old, nsize);
	if (p)
		h->lim.used = h->lim.used - old + nsize;
	return p;
}

/* arm the timer for s seconds */
static void
settimer(double s)
{
	struct itimerval it;

	memset(&it, 0, sizeof it);
	it.it_value.tv_sec = (time_t)s;
	it.it_value.tv_usec = (suseconds_t)((s - (double)(time_t)s) * 1e6);
	if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
		it.it_value.tv_usec = 1;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* the timer: at the deadline, install the hook that stops the plugins; if it fires again, the
 * plugins are stuck inside one library call, where the hook cannot run. The Lua state is not
 * changing while a C function such as string.find runs, so its stack can still be read to
 * name the plugin line; then the process ends. */
static void
onalarm(int sig)
{
	static char msg[1024];
	int n;

	(void)sig;
	if (!armed)
		return;
	if (!fired++) {
		lua_sethook(armed->L, hook, LUA_MASKCOUNT, 1);
		settimer(GRACE);
		return;
	}
	snapshot(armed);
	n = snprintf(msg, sizeof msg, "%s: %s: kiln gen ran for more than %g s, the time limit, inside one "
	             "library call (a string.find, match or gsub pattern that backtracks without end?); if "
	             "the plugins really need longer, raise the limit with --gen-time-limit=SECONDS\n",
	             argv0, armed->lim.where, armed->lim.seconds);
	if (n > 0 && write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1) < 0)
		_exit(1);
	_exit(1);
}

void
limits_start(struct host *h)
{
	struct sigaction sa;

	strcpy(h->lim.where, "kiln");
	*(struct host **)lua_getextraspace(h->L) = h;
	armed = h;
	fired = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onalarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	settimer(h->lim.seconds);
}
