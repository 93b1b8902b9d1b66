/* main.c: subcommand dispatch, usage and exit codes */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

#ifndef KILN_VERSION
#define KILN_VERSION "unknown"
#endif

static int cmd_version(int argc, char *argv[]);

static const struct command {
	const char *name;
	int (*fn)(int, char *[]);
	const char *help;
} commands[] = {
	{ "gen",     cmd_gen,     "write build.ninja from the plugins (configure and ninja run it)" },
	{ "list",    cmd_query,   "list components and images with their plugin file:line" },
	{ "show",    cmd_query,   "show NAME: kind, origin, inputs, outputs, deps, image paths" },
	{ "graph",   cmd_query,   "print the component graph as Graphviz dot" },
	{ "why",     cmd_query,   "why PATH: which component puts PATH into which image, and how" },
	{ "elf",     cmd_elf,     "ELF checks against policies, strip, info" },
	{ "initfs",  cmd_initfs,  "Redox initfs archives: create, list, extract" },
	{ "redoxfs", cmd_redoxfs, "RedoxFS v8 images: create, list, cat, check" },
	{ "gpt",     cmd_gpt,     "GPT disks: create (installer layout), list and verify" },
	{ "fat",     cmd_fat,     "FAT12/16/32 EFI system partitions: create, list, cat" },
	{ "cargo",   cmd_cargo,   "run cargo with a controlled environment (the cargo edges use it)" },
	{ "ar",      cmd_ar,      "deterministic ar archives: create, t, x" },
	{ "stubobj", cmd_stubobj, "ELF object whose symbols are functions returning 0" },
	{ "passwd-hash", cmd_passwd_hash, "the Argon2 /etc/shadow hash of a password, as the Redox installer writes it" },
	{ "doctor",  cmd_doctor,  "check the prerequisites of a Redox build and say how to get what is missing" },
	{ "version", cmd_version, "print the version" },
};

static int
cmd_version(int argc, char *argv[])
{
	printf("kiln %s\n", KILN_VERSION);
	return 0;
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: kiln COMMAND [ARGS...]\n\ncommands:\n");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'kiln COMMAND --help' describes a command.\n");
}

int
main(int argc, char *argv[])
{
	static char name[64];
	size_t i;

	kiln_self = argv[0];
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			snprintf(name, sizeof name, "kiln %s", commands[i].name);
			argv0 = name;
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "kiln: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
