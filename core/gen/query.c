/* query.c: kiln list, show, graph and why: load the plugins as kiln gen does and answer from
 * the declarations (lua/query.lua), without writing anything */
#include <string.h>

#include "cmd.h"
#include "gen.h"
#include "lua_host.h"
#include "util.h"

int
cmd_query(int argc, char *argv[])
{
	struct conf c;
	struct host *h;
	const char *args[8];
	int n, i;

	n = conf_load(&c, argc, argv, kiln_self);
	c.regen = 1; /* answer with the environment the build uses (kiln.env) */
	if (n > 6)
		fatal("too many arguments");
	args[0] = argv[0];
	for (i = 1; i <= n; i++)
		args[i] = argv[i];
	h = load_plugins(&c);
	return host_call(h, "query", n + 1, args) ? 1 : 0;
}
