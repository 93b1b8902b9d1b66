/* fuzz/json.c: fuzz driver for the JSON reader and writer (lua/json.lua: json_decode and
 * json_encode for plugins), run in a Lua state like kiln's: every input either decodes, and
 * then decode(encode(value)) gives the value back and encoding it again gives the same text,
 * or is refused with one "fuzz:line:column: message" string (readers.lua, check_json). */
#include <stddef.h>
#include <stdint.h>

#include "lua_reader.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lua_reader_check("json", data, size);
	return 0;
}
