/* fuzz/lua_reader.h: what the fuzz drivers of kiln's readers written in Lua (lua/json.lua,
 * lua/toml.lua) share: a Lua 5.4 state made like kiln's, the modules loaded the way
 * lua/kiln.lua loads them, and the checks of tests/fuzz/readers.lua. */
#ifndef FUZZ_LUA_READER_H
#define FUZZ_LUA_READER_H

#include <stddef.h>
#include <stdint.h>

/* run the check named fn (a function of tests/fuzz/readers.lua) on the input; a finding
 * (a crash-free but wrong outcome: an error that is not one "name:line:column: message"
 * string, a failed round trip, ...) is printed and abort()s, so AFL++ records it */
void lua_reader_check(const char *fn, const uint8_t *data, size_t size);

#endif
