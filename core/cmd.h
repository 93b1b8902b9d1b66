/* cmd.h: the subcommands of kiln; each takes main's argc/argv shifted so argv[0] is its name,
 * and returns the process exit status (0 success, 1 check failed or not found, 2 bad usage
 * or bad input). main() answers --help itself from the usage texts below, so a command never
 * sees --help or -h before a "--". */
#ifndef KILN_CMD_H
#define KILN_CMD_H

int cmd_gen(int argc, char *argv[]);     /* gen.c: write build.ninja */
int cmd_query(int argc, char *argv[]);   /* query.c: list, show, why, graph, report */
int cmd_elf(int argc, char *argv[]);     /* elf_cmd.c: elf check|strip|info */
int cmd_initfs(int argc, char *argv[]);  /* initfs.c: initfs create|list|extract */
int cmd_redoxfs(int argc, char *argv[]); /* redoxfs.c: redoxfs create|list|cat|check */
int cmd_fat(int argc, char *argv[]);     /* fat.c: fat create|list */
int cmd_gpt(int argc, char *argv[]);     /* gpt.c: gpt create|list */
int cmd_cargo(int argc, char *argv[]);   /* cargo.c: the cargo wrapper */
int cmd_manifest(int argc, char *argv[]);/* manifest_cmd.c: manifest check|merge */
int cmd_doctor(int argc, char *argv[]);  /* doctor.c: prerequisite report */
int cmd_ar(int argc, char *argv[]);      /* ar.c: deterministic ar archives */
int cmd_stubobj(int argc, char *argv[]); /* stubobj.c: ELF objects of return-0 stubs */
int cmd_passwd_hash(int argc, char *argv[]); /* passwd_hash.c: Redox /etc/shadow hashes */

/* The usage text of each command (kiln help CMD, kiln CMD --help), kept beside the code that
 * parses its arguments: the first lines are the synopsis, then what it does and its options.
 * Every option a command accepts appears in its text; unknown_option() suggests from it. */
extern const char usage_gen[], usage_list[], usage_show[], usage_graph[], usage_why[];
extern const char usage_report[], usage_elf[], usage_initfs[], usage_redoxfs[], usage_gpt[];
extern const char usage_fat[], usage_cargo[], usage_ar[], usage_stubobj[], usage_doctor[];
extern const char usage_passwd_hash[];
/* (usage_error(), unknown_option() and did_you_mean() are in util.h) */

/* how kiln was started (argv[0]), to find the binary for the generated rules */
extern const char *kiln_self;

/* where lua/, rules/ and plugins/ live: $KILN_DATADIR, else the compiled-in directory */
const char *kiln_datadir(void);

#endif
