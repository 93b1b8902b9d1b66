/* main.c: subcommand dispatch, help, version and exit codes.
 *
 *   kiln COMMAND [ARGS...]      kiln help [COMMAND]      kiln COMMAND --help
 *
 * Help goes to stdout with exit 0; a usage error is one line on stderr naming the problem and
 * 'kiln help COMMAND', with exit 2. --help and -h anywhere before a "--" print the command's
 * usage instead of running it, so no command ever takes them for a file or a name. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

#ifndef KILN_VERSION
#define KILN_VERSION "unknown"
#endif

static int cmd_version(int argc, char *argv[]);
static int cmd_help(int argc, char *argv[]);

static const char usage_version[] =
	"usage: kiln version\n"
	"       kiln --version\n"
	"\n"
	"Prints \"kiln VERSION\".\n";

static const char usage_help[] =
	"usage: kiln help [COMMAND]\n"
	"       kiln COMMAND --help\n"
	"\n"
	"Without COMMAND, lists the commands; with it, prints that command's usage.\n";

/* one subcommand: its name, entry point, one-line summary and usage text */
static const struct command {
	const char *name;
	int (*fn)(int, char *[]);
	const char *summary;
	const char *usage;
} commands[] = {
	{ "gen",     cmd_gen,     "write build.ninja from the plugins (configure and ninja run it)", usage_gen },
	{ "list",    cmd_query,   "list components and images with their plugin file:line", usage_list },
	{ "show",    cmd_query,   "show NAME: kind, origin, inputs, outputs, deps, image paths", usage_show },
	{ "why",     cmd_query,   "why PATH: which component puts PATH into which image, and how", usage_why },
	{ "graph",   cmd_query,   "the component graph as Graphviz dot, images as clusters", usage_graph },
	{ "report",  cmd_query,   "an SVG picture of the disk and of what fills each image", usage_report },
	{ "doctor",  cmd_doctor,  "check what the configured system needs and say how to get what is missing", usage_doctor },
	{ "elf",     cmd_elf,     "ELF checks against policies, strip, info", usage_elf },
	{ "initfs",  cmd_initfs,  "Redox initfs archives: create, list, extract", usage_initfs },
	{ "redoxfs", cmd_redoxfs, "RedoxFS v8 images: create, list, cat, check", usage_redoxfs },
	{ "fat",     cmd_fat,     "FAT12/16/32 EFI system partitions: create, list, cat", usage_fat },
	{ "gpt",     cmd_gpt,     "GPT disks: create (installer layout), list and verify", usage_gpt },
	{ "cargo",   cmd_cargo,   "run cargo with a controlled environment (the cargo edges use it)", usage_cargo },
	{ "ar",      cmd_ar,      "deterministic ar archives: create, t, x", usage_ar },
	{ "stubobj", cmd_stubobj, "ELF object whose symbols are functions returning 0", usage_stubobj },
	{ "passwd-hash", cmd_passwd_hash, "the Argon2 /etc/shadow hash of a password, as the Redox installer writes it", usage_passwd_hash },
	{ "version", cmd_version, "print the version", usage_version },
	{ "help",    cmd_help,    "print the usage of kiln or of one command", usage_help },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/* usage_error for a word that is no command, suggesting the closest one */
static _Noreturn void
unknown_command(const char *word)
{
	const char *names[NCOMMANDS];
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	usage_error("unknown command '%s'%s", word, did_you_mean(word, names, NCOMMANDS));
}

static int
cmd_version(int argc, char *argv[])
{
	if (argc > 1)
		usage_error("unexpected argument '%s'", argv[1]);
	printf("kiln %s\n", KILN_VERSION);
	return 0;
}

static void
overview(FILE *f)
{
	size_t i;

	fprintf(f, "usage: kiln COMMAND [ARGS...]\n\n"
	           "Builds Redox OS (or the bundled demo) into a bootable disk image through Ninja;\n"
	           "./configure writes the build directory, 'ninja image' builds.\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'kiln help COMMAND' or 'kiln COMMAND --help' describes a command; kiln(1) has them all.\n");
}

static int
cmd_help(int argc, char *argv[])
{
	const struct command *c;

	if (argc < 2) {
		overview(stdout);
		return 0;
	}
	/* kiln help elf check: the elf usage, which has every elf subcommand */
	usage_cmd = NULL;
	if (!(c = find(argv[1])))
		unknown_command(argv[1]);
	fputs(c->usage, stdout);
	return 0;
}

int
main(int argc, char *argv[])
{
	static char name[64];
	const struct command *c;
	int i;

	kiln_self = argv[0];
	if (argc < 2) {
		overview(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		overview(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	if (argv[1][0] == '-')
		usage_error("unknown option '%s' (options follow the command: kiln COMMAND --OPTION)", argv[1]);
	if (!(c = find(argv[1])))
		unknown_command(argv[1]);
	snprintf(name, sizeof name, "kiln %s", c->name);
	argv0 = name;
	usage_cmd = c->name;
	usage_cmd_text = c->usage;
	for (i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(c->usage, stdout);
			return 0;
		}
	}
	return c->fn(argc - 1, argv + 1);
}
