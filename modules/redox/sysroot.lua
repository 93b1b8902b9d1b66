-- modules/redox/sysroot.lua: relibc, its CRT objects and the sysroot every static Redox
-- program links against (out/sysroot/lib).
--
-- redox.relibc {} declares relibc (librelibc.a) and the crt0/crti/crtn crates, built by one
-- cargo run with the userspace spec and -Zbuild-std=core,alloc, and the component "sysroot":
-- libc.a (relibc), crt0.o crti.o crtn.o (each CRT crate's own objects merged with rust-lld
-- -r), the unwinder stubs libunwind_stubs.a and the empty libgcc_eh/pthread/dl/rt/m archives,
-- written by kiln ar and kiln stubobj (no C compiler, no llvm-ar). Every static program
-- depends on it: a change to any of them relinks every program (kiln cargo --relink-on) and
-- rebuilds the bootstrap, the initfs and the disk.
return function(R)
	local sfmt = string.format

	-- the unwinder entry points std's unwind crate and libgcc_eh users expect
	R.unwind_syms = {
		"_Unwind_Backtrace", "_Unwind_FindEnclosingFunction", "_Unwind_GetCFA", "_Unwind_GetDataRelBase",
		"_Unwind_GetGR", "_Unwind_GetIP", "_Unwind_GetIPInfo", "_Unwind_GetLanguageSpecificData",
		"_Unwind_GetRegionStart", "_Unwind_GetTextRelBase", "_Unwind_RaiseException", "_Unwind_Resume",
		"_Unwind_SetGR", "_Unwind_SetIP", "_Unwind_DeleteException",
	}
	R.sysroot_lib = build_path "out/sysroot/lib"

	local schema = { dir = "string" }
	function R.relibc(t)
		t = t or {}
		check_fields(t, schema, "redox.relibc{}")
		local dir = t.dir and here(t.dir) or (R.src and redox "recipes/core/relibc/source")
		if not dir or fs.exists(dir) ~= "dir" then
			error(sfmt("%s: no relibc tree; --redox-src must point at a tree laid out like the reference fork (recipes/core/relibc/source)",
				dir or "recipes/core/relibc/source"), 0)
		end
		local ws = R.workspace(dir)
		local function crate(name, description)
			R.member(ws, nil, name)
			local build, spec = R.cargo { component = "relibc", target = "user", std = R.std.relibc, package = name,
				lib = true, dir = dir, workspace = ws, run = "relibc" }
			component { name = name, kind = "library", dir = dir, description = description, build = build, deps = { spec } }
		end
		crate("relibc", "the C library (librelibc.a), static")
		for _, crt in ipairs { "crt0", "crti", "crtn" } do
			crate(crt, "relibc's " .. crt .. " crate (staticlib); the sysroot keeps only its own objects as " .. crt .. ".o")
		end
		local script, kiln = R.dir .. "/sysroot.sh", kiln_binary()
		local steps_ = {
			{ output = "lib/libc.a", inputs = { "relibc" }, run = { "sh", script, "copy", "$in", "$out" },
				tools = { script }, description = "stage" },
		}
		for _, crt in ipairs { "crt0", "crti", "crtn" } do
			steps_[#steps_ + 1] = { output = "lib/" .. crt .. ".o", inputs = { crt },
				run = { "sh", script, "crt", kiln, R.tc.lld, crt, "$in", "$out" }, tools = { script, kiln }, description = "crt" }
		end
		steps_[#steps_ + 1] = { output = "lib/libunwind_stubs.a", inputs = { "out/sysroot/obj/unwind_stubs.o" },
			run = { kiln, "ar", "create", "-o", "$out", "$in" }, tools = { kiln }, description = "ar" }
		for _, n in ipairs { "gcc_eh", "pthread", "dl", "rt", "m" } do
			steps_[#steps_ + 1] = { output = "lib/lib" .. n .. ".a", run = { kiln, "ar", "create", "-o", "$out" },
				tools = { kiln }, description = "ar" }
		end
		local stub = { output = "obj/unwind_stubs.o", run = { kiln, "stubobj", "--arch", arch, "-o", "$out" },
			tools = { kiln }, description = "stubobj" }
		for _, s in ipairs(R.unwind_syms) do stub.run[#stub.run + 1] = s end
		steps_[#steps_ + 1] = stub
		component {
			name = "sysroot",
			kind = "library",
			dir = dir,
			description = "out/sysroot/lib: libc.a, crt0.o crti.o crtn.o, libgcc_eh.a, libunwind_stubs.a and empty libpthread/dl/rt/m",
			build = steps(steps_),
			deps = { "relibc", "crt0", "crti", "crtn" },
		}
	end
end
