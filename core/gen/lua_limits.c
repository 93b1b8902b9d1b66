/* lua_limits.c: the time and memory limits of kiln gen (see lua_host.h).
 *
 * Memory: every allocation of the Lua state goes through limits_alloc, which refuses to grow
 * past the limit; Lua then raises a memory error. Time: a count hook looks at the clock every
 * 2^20 instructions and raises an error once the deadline has passed. Both note the plugin
 * file:line that was running and make the error sticky: the hook then fires at every
 * instruction and raises again, so a plugin cannot catch the error with pcall and go on.
 * A plugin stuck inside one library call (a pattern that backtracks without end) runs no
 * instructions, so an alarm two seconds after the deadline names the plugin line that made
 * the call and exits. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua_host.h"
#include "util.h"

#define HOOK_EVERY (1 << 20)     /* instructions between two looks at the clock */
#define RESERVE (8u << 20)       /* bytes allowed past the limit once it is hit: the error
                                  * messages and the unwinding need a little memory */

static struct host *armed;       /* the host the alarm reports on */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
		if (now() <= h->lim.deadline)
			return;
		snapshot(h);
		hit(h, 't');
	}
	lua_pushstring(L, h->lim.msg);
	lua_error(L);
}

void *
limits_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct host *h = ud;
	size_t old = ptr ? osize : 0, cap;
	void *p;

	if (nsize == 0) {
		free(ptr);
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
	p = realloc(ptr, nsize);
	if (p)
		h->lim.used = h->lim.used - old + nsize;
	return p;
}

/* the alarm: the plugins are stuck inside one library call, where the hook cannot run. The
 * Lua state is not changing while a C function such as string.find runs, so its stack can
 * still be read to name the plugin line; then the process ends. */
static void
onalarm(int sig)
{
	static char msg[1024];
	int n;

	(void)sig;
	if (!armed)
		_exit(1);
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
	double s = h->lim.seconds;

	strcpy(h->lim.where, "kiln");
	h->lim.deadline = now() + s;
	*(struct host **)lua_getextraspace(h->L) = h;
	lua_sethook(h->L, hook, LUA_MASKCOUNT, HOOK_EVERY);
	armed = h;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onalarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(s + 2 > 1e6 ? 1000000u : (unsigned)(s + 2.999));
}

void
limits_stop(struct host *h)
{
	alarm(0);
	lua_sethook(h->L, NULL, 0, 0);
	armed = NULL;
}
