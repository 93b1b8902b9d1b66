-- modules/redox/specs.lua: the rustc target specifications of redox/components.md section 1.1, generated
-- into the build directory (gen/targets/, never the source tree: F27) with the sysroot path of
-- this build (F28: no path from another machine). S1/S2: kernel; S3/S4: userspace "clif".
local S = {}

local layout = {
	aarch64 = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128-Fn32",
	x86_64 = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128",
}
local kernel_features = {
	aarch64 = "+v8a,+strict-align,+neon,+fp-armv8",
	x86_64 = "-mmx,-sse,-sse2,-sse3,-ssse3,-sse4.1,-sse4.2,-avx,-avx2,+soft-float",
}
-- rust-lld's flavour name: the fork's specs say gnu-lld on aarch64 and the legacy ld.lld on x86_64
local flavor = { aarch64 = "gnu-lld", x86_64 = "ld.lld" }

-- JSON in the layout of the fork's committed specs: sorted keys, 4-space indent, arrays of
-- strings on one line, so the files can be compared with the reference byte for byte
-- sorted keys, except the link-object keys, which the fork writes in link order
local order = { ["pre-link-objects"] = "pre-link-0", ["post-link-objects"] = "pre-link-1", ["pre-link-args"] = "pre-link-2" }
local function q(s) return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"' end
local function emit(v, indent)
	if type(v) == "string" then return q(v) end
	if type(v) == "boolean" or type(v) == "number" then return tostring(v) end
	if v[1] ~= nil or next(v) == nil and getmetatable(v) == "array" then
		local parts = {}
		for _, x in ipairs(v) do parts[#parts + 1] = emit(x, indent) end
		return "[" .. table.concat(parts, ", ") .. "]"
	end
	local keys = {}
	for k in pairs(v) do keys[#keys + 1] = k end
	table.sort(keys, function(a, b) return (order[a] or a) < (order[b] or b) end)
	local inner = indent .. "    "
	local lines = {}
	for _, k in ipairs(keys) do lines[#lines + 1] = inner .. q(k) .. ": " .. emit(v[k], inner) end
	return "{\n" .. table.concat(lines, ",\n") .. "\n" .. indent .. "}"
end
function S.json(t) return emit(t, "") .. "\n" end

-- S1 (aarch64) and S2 (x86_64): the kernel, static, no red zone, panic=abort
function S.kernel(arch)
	return {
		arch = arch,
		["data-layout"] = layout[arch],
		["disable-redzone"] = true,
		executables = true,
		features = kernel_features[arch],
		linker = "rust-lld",
		["linker-flavor"] = flavor[arch],
		["llvm-target"] = arch .. "-unknown-none",
		["max-atomic-width"] = 64,
		["panic-strategy"] = "abort",
		["relocation-model"] = "static",
		["target-pointer-width"] = 64,
	}
end

-- S3 (aarch64) and S4 (x86_64): static non-PIE executables (F1) whose CRT objects come from
-- kiln's sysroot, linked exactly once (F2, F3). The fork's S3 names them by absolute path, with
-- `-L SYSROOT` in pre-link-args; here they are bare names, which rustc resolves through its
-- search paths, and every cargo run with this spec gives it `-Lnative=SYSROOT` (R.cargo). The
-- linker gets the same absolute paths in the same places (only the -L moves, and lld reads
-- every -L before any input), and the spec names no path: rustc records a spec's content in
-- every rlib and refuses one built with different content (E0461), and sccache hashes it, so
-- a spec naming the build directory kept userspace crates from being shared between build
-- directories (docs/sccache.md).
function S.user(arch)
	local fl = flavor[arch]
	local t = {
		arch = arch,
		["crt-objects-fallback"] = "false",
		["crt-static-default"] = true,
		["crt-static-respected"] = true,
		["data-layout"] = layout[arch],
		env = "relibc",
		executables = true,
		["has-rpath"] = true,
		linker = "rust-lld",
		["linker-flavor"] = fl,
		["llvm-target"] = arch .. "-unknown-redox",
		["max-atomic-width"] = 64,
		os = "redox",
		["panic-strategy"] = "abort",
		["position-independent-executables"] = false,
		["pre-link-objects"] = { ["static-nopic-exe"] = { "crt0.o", "crti.o" } },
		["post-link-objects"] = { ["static-nopic-exe"] = { "crtn.o" } },
		["relro-level"] = "full",
		["target-family"] = { "unix" },
		["target-pointer-width"] = 64,
	}
	if arch == "aarch64" then t.features = kernel_features.aarch64 end
	return t
end

-- the names cargo sees (--target NAME.json -> target/NAME/)
S.kernel_name = { aarch64 = "aarch64-unknown-none", x86_64 = "x86_64-unknown-none" }
S.user_name = { aarch64 = "aarch64-unknown-redox-clif", x86_64 = "x86_64-unknown-redox-clif" }

return S
