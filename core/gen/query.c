/* query.c: kiln list, show, why, graph and report. The first four load the plugins as kiln
 * gen does and answer from the declarations (lua/query.lua), writing nothing; report reads
 * what the last kiln gen wrote (gen/images.lua) and the built images (lua/report.lua). */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "gen.h"
#include "inspect.h"
#include "lua_host.h"
#include "util.h"

const char usage_list[] =
	"usage: kiln list [--json] [CONFIGURATION...]\n"
	"\n"
	"Lists every component and image the plugins declare, sorted by name: its name, its kind\n"
	"(image/FORMAT for an image, files for a files{} declaration) and the plugin file:line\n"
	"that declares it.\n"
	"\n"
	"  --json   one JSON object instead: { \"schema\": \"kiln-list-1\", \"items\": [ { \"name\",\n"
	"           \"kind\", \"declaration\", \"origin\" }... ] } (kiln(1) has the schema)\n"
	USAGE_CONFIGURATION;

const char usage_show[] =
	"usage: kiln show NAME [--json] [CONFIGURATION...]\n"
	"\n"
	"Describes one component or image: its kind, the plugin line that declares it, its source\n"
	"directory, how it is built, its ELF policy, its inputs and outputs, what it depends on,\n"
	"what needs it, and every image path where it lands (through images inside images and\n"
	"partitions of disks). An image also lists its contents and partitions.\n"
	"\n"
	"  --json   the same facts as one JSON object (kiln(1) has the schema)\n"
	USAGE_CONFIGURATION;

const char usage_why[] =
	"usage: kiln why PATH [--json] [CONFIGURATION...]\n"
	"\n"
	"Says why PATH is in an image: PATH is a path inside an image (/usr/bin/ion) or a build\n"
	"output (out/ion/stripped/ion). For each image holding it: the component or files{}\n"
	"declaration that puts it there, its plugin line, the file it comes from, the chain of\n"
	"images down to the disk, and what that component is built after.\n"
	"\n"
	"  --json   the same facts as one JSON object (kiln(1) has the schema)\n"
	USAGE_CONFIGURATION;

const char usage_graph[] =
	"usage: kiln graph [--all] [CONFIGURATION...]\n"
	"\n"
	"Prints the component graph as Graphviz dot: an edge from each dependency to what needs\n"
	"it; each image is a cluster holding what is installed into it, and images installed in\n"
	"images or disks are nested clusters. Render it with: kiln graph | dot -Tsvg -o graph.svg\n"
	"\n"
	"  --all    also draw the edges from the dependencies more than half of the components\n"
	"           share (the sysroot and target specs of a Redox build), which are otherwise\n"
	"           left out and named in the graph's label\n"
	USAGE_CONFIGURATION;

const char usage_report[] =
	"usage: kiln report [-o FILE]\n"
	"       kiln report --summary [-o FILE]\n"
	"\n"
	"In a build directory after 'ninja image', writes a self-contained SVG picture: each disk\n"
	"to scale with its partitions as read back from its GPT, the files of the EFI system\n"
	"partition, how much of each RedoxFS is used, and the largest files of every initfs (with\n"
	"its size budget) and root filesystem.\n"
	"\n"
	"  -o FILE, --output=FILE   where to write it (default out/report.svg; - for stdout)\n"
	"  --summary                the short text summary 'ninja image' ends with instead: each\n"
	"                           image and its size, each initfs against its budget, the\n"
	"                           largest files (printed, and written to FILE when given)\n";

/* the query command (argv[0]) and its options, parsed */
struct query {
	const char *cmd;       /* list, show, why, graph or report */
	const char *arg;       /* show NAME, why PATH */
	const char *out;       /* report -o FILE */
	int json, all, summary;
};

/* does argv name a configuration (--arch=, --redox-src=, --system=) before any "--"? */
static int
names_configuration(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strncmp(argv[i], "--arch=", 7) || !strncmp(argv[i], "--redox-src=", 12) ||
		    !strncmp(argv[i], "--system=", 9))
			return 1;
	return 0;
}

/* parse what conf_load left (argv[1..n]); plugin options go to c */
static void
parse(struct query *q, struct conf *c, int n, char *argv[])
{
	int i, npos = 0, dashdash = 0, wants_arg = !strcmp(q->cmd, "show") || !strcmp(q->cmd, "why");
	int report = !strcmp(q->cmd, "report");

	for (i = 1; i <= n; i++) {
		const char *a = argv[i];

		if (!dashdash && a[0] == '-' && a[1]) {
			if (!strcmp(a, "--")) {
				dashdash = 1;
			} else if (!strcmp(a, "--json") && (wants_arg || !strcmp(q->cmd, "list"))) {
				q->json = 1;
			} else if (!strcmp(a, "--all") && !strcmp(q->cmd, "graph")) {
				q->all = 1;
			} else if (report && !strcmp(a, "--summary")) {
				q->summary = 1;
			} else if (report && (!strcmp(a, "-o") || !strcmp(a, "--output"))) {
				if (++i > n)
					usage_error("%s needs a file name", a);
				q->out = argv[i];
			} else if (report && !strncmp(a, "--output=", 9)) {
				q->out = a + 9;
			} else if (report && !strncmp(a, "-o", 2)) {
				q->out = a + 2;
			} else if (!report && !strncmp(a, "--", 2) && strchr(a, '=') && a[2] != '=') {
				conf_opt(c, a + 2); /* an option a plugin declares; kiln.lua checks it */
			} else {
				unknown_option(a);
			}
			continue;
		}
		if (!wants_arg)
			usage_error("unexpected argument '%s' (kiln %s takes no names)", a, q->cmd);
		if (npos++)
			usage_error("one %s at a time ('%s' and '%s')", !strcmp(q->cmd, "show") ? "NAME" : "PATH",
			            q->arg, a);
		q->arg = a;
	}
	if (wants_arg && !q->arg)
		usage_error("which %s? kiln %s %s", !strcmp(q->cmd, "show") ? "component or image" : "path",
		            q->cmd, !strcmp(q->cmd, "show") ? "NAME" : "PATH");
}

int
cmd_query(int argc, char *argv[])
{
	struct query q = { argv[0], NULL, NULL, 0, 0, 0 };
	struct conf c;
	struct host *h;
	const char *args[4];
	char here[PATH_MAX];
	int n, given = names_configuration(argc, argv), have_conf = access("kiln.conf", F_OK) == 0;

	if (!strcmp(q.cmd, "report") && given)
		usage_error("kiln report draws what this build directory built; it takes no configuration");
	n = conf_load(&c, argc, argv, kiln_self);
	parse(&q, &c, n, argv);
	if (!have_conf && (!given || !strcmp(q.cmd, "report"))) {
		if (!getcwd(here, sizeof here))
			strcpy(here, ".");
		if (!strcmp(q.cmd, "report"))
			usage_error("%s is not a build directory (no kiln.conf): run kiln report where ./configure "
			            "and ninja image ran", here);
		usage_error("%s is not a build directory (no kiln.conf): run kiln %s where ./configure ran, or "
		            "say which configuration with --arch=, --redox-src= or --system= (--system=demo for "
		            "the bundled demo)", here, q.cmd);
	}
	args[0] = q.cmd;
	if (!strcmp(q.cmd, "report")) {
		/* no plugins: gen/images.lua says what kiln gen made ninja build */
		h = host_new(&c, graph_new());
		inspect_register(h);
		args[1] = q.summary ? "summary" : "svg";
		args[2] = q.out ? q.out : q.summary ? "" : "out/report.svg";
		return host_call(h, "query", 3, args) ? 1 : 0;
	}
	c.regen = 1; /* answer with the environment the build uses (kiln.env) */
	h = load_plugins(&c);
	inspect_register(h); /* kiln show gives the sizes of what is built */
	args[1] = q.json ? "json" : q.all ? "all" : "text";
	args[2] = q.arg ? q.arg : "";
	return host_call(h, "query", 3, args) ? 1 : 0;
}
