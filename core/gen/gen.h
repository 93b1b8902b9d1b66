/* gen.h: configuration and plugin loading shared by kiln gen and the query commands */
#ifndef KILN_GEN_H
#define KILN_GEN_H

#include "lua_host.h"

/* parse "--arch=", "--redox-src=", "--plugin-dir=", "--opt=" and "--datadir=" from argv
 * (after reading kiln.conf in the current directory, if present, which they override);
 * other arguments are left in argv and their count returned. fatal on a malformed kiln.conf */
int conf_load(struct conf *c, int argc, char *argv[], const char *argv0_path);
/* add a plugin option "NAME=VALUE" to c (as --opt=NAME=VALUE does) */
void conf_opt(struct conf *c, const char *kv);
/* create the graph and the Lua host and load every plugin; exits 1 on plugin errors */
struct host *load_plugins(struct conf *c);

#endif
