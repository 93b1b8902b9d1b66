/* fuzz/toml.c: fuzz driver for the TOML reader (lua/toml.lua, toml_decode for plugins), run
 * in a Lua state like kiln's: every input either decodes, and decodes the same with the
 * positions option, each key having a line inside the text, or is refused with one
 * "fuzz:line:column: message" string (readers.lua, check_toml). */
#include <stddef.h>
#include <stdint.h>

#include "lua_reader.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lua_reader_check("toml", data, size);
	return 0;
}
