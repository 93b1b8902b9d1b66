/* inspect.h: primitives that read built images (see inspect.c) */
#ifndef KILN_INSPECT_H
#define KILN_INSPECT_H

#include "lua_host.h"

/* add file_size, gpt_read, fat_files and redoxfs_usage to the core table of h, which
 * lua/kiln.lua keeps as K.core */
void inspect_register(struct host *h);

#endif
