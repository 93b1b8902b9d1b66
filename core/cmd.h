/* cmd.h: the subcommands of kiln; each takes main's argc/argv shifted so argv[0] is its name,
 * and returns the process exit status (0 success, 1 check failed, 2 bad input). */
#ifndef KILN_CMD_H
#define KILN_CMD_H

int cmd_gen(int argc, char *argv[]);     /* gen.c: write build.ninja */
int cmd_query(int argc, char *argv[]);   /* query.c: list, show, graph, why */
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

/* how kiln was started (argv[0]), to find the binary for the generated rules */
extern const char *kiln_self;

/* where lua/, rules/ and plugins/ live: $KILN_DATADIR, else the compiled-in directory */
const char *kiln_datadir(void);

#endif
