/* datadir.c: where kiln finds lua/, rules/, plugins/ and examples/, and how it was started.
 * Separate from main.c so that the unit tests link without main(), and so that
 * `make install` recompiles only this file with the installed data directory. */
#include <stdlib.h>

#include "cmd.h"

#ifndef KILN_DATADIR
#define KILN_DATADIR "."
#endif

const char *kiln_self = "kiln";

const char *
kiln_datadir(void)
{
	const char *d = getenv("KILN_DATADIR");

	return d && *d ? d : KILN_DATADIR;
}
