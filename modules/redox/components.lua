-- modules/redox/components.lua: the Redox components that are more than a program of a
-- workspace: the kernel, the bootstrap, uutils' multicall coreutils and the bootloader.
--
-- redox.kernel { script = "linkers/ARCH.ld" }
--   the kernel (recipes/core/kernel/source), with its own target spec, -Zbuild-std=core,alloc
--   with compiler-builtins-mem (no libc supplies memcpy), static relocation and its linker
--   script (without it: one 332-byte PT_LOAD and entry 0), checked with the kernel policy and
--   installed unstripped as /boot/kernel
-- redox.bootstrap { script = "src/ARCH.ld" }
--   the bootstrap: the staticlib libbootstrap.a (outside the base workspace; it uses relibc's
--   redox-rt, so it is rebuilt with relibc), linked by rust-lld with its linker script and
--   -z max-page-size=4096 so that it runs in place from the initfs
-- redox.multicall { applets = { ... }, install = "/usr/bin/coreutils", skip = { ... } }
--   uutils' coreutils (recipes/core/uutils/source), built as the fork builds it: the applets
--   that the tree defines as features (most implicit: one per optional uu_* dependency),
--   --no-default-features, -Clto=no; a link /usr/bin/APPLET -> coreutils for each, but those
--   in skip (programs installed there by other plugins)
-- redox.bootloader { file = PATH }
--   the prebuilt UEFI bootloader (--bootloader, or the fork's committed one): Cranelift cannot
--   emit aarch64 PE/COFF; checked with the uefi policy, installed as EFI/BOOT/BOOT*.EFI
return function(R)
	local sfmt = string.format

	local kernel_schema = { script = "string", install = "table" }
	function R.kernel(t)
		t = t or {}
		check_fields(t, kernel_schema, "redox.kernel{}")
		local dir = redox "recipes/core/kernel/source"
		local ws = R.workspace(dir) -- its path dependency rmm is a submodule: empty in a plain checkout
		R.member(ws, "kernel")
		local script = t.script or ("linkers/" .. arch .. ".ld")
		if fs.exists(dir .. "/" .. script) ~= "file" then
			problem(sfmt("%s/%s: the kernel's linker script is missing (without it the kernel has one 332-byte PT_LOAD and entry 0) [F6]",
				dir, script), false)
		end
		local build, spec = R.cargo {
			component = "kernel", target = "kernel", std = R.std.kernel, bin = "kernel",
			rustflags = { "-Crelocation-model=static", "-Clink-arg=-T" .. dir .. "/" .. script },
			relink_on = { script }, dir = dir, workspace = ws, run = "kernel",
		}
		component {
			name = "kernel", kind = "kernel", dir = dir,
			description = "the kernel, linked by " .. script .. " at the kernel base",
			build = build, deps = { spec }, install = t.install or { rootfs = "/boot/kernel" },
		}
		-- the x86_64 kernel's build.rs assembles its trampoline with nasm
		if arch == "x86_64" then
			local nasm = find_program "nasm"
			if nasm then report("nasm", nasm) else prerequisite("nasm", "the x86_64 kernel's build.rs runs it: apt-get install nasm | brew install nasm") end
		end
	end

	local bootstrap_schema = { script = "string" }
	function R.bootstrap(t)
		t = t or {}
		check_fields(t, bootstrap_schema, "redox.bootstrap{}")
		local dir = R.base .. "/bootstrap"
		if not R.need(dir, "the bootstrap") then return end
		local build, spec = R.cargo {
			component = "bootstrap", target = "user", package = "bootstrap", lib = true,
			std = { crates = { "core", "alloc" }, features = { "compiler-builtins-mem", "compiler_builtins/no-f16-f128" } },
			rustflags = { "-Crelocation-model=static" }, dir = dir, workspace = R.workspace(dir), run = "bootstrap",
		}
		component {
			name = "bootstrap-lib", kind = "library", dir = dir,
			description = "libbootstrap.a (staticlib, outside the base workspace)",
			build = build, deps = { "sysroot", spec },
		}
		component {
			name = "bootstrap", kind = "bootstrap", dir = dir, strip = true,
			description = "the bootstrap ELF, run in place from the initfs",
			build = link {
				inputs = { "bootstrap-lib" }, script = t.script or ("src/" .. arch .. ".ld"),
				linker = { R.tc.lld, "-flavor", "gnu" }, args = { "--gc-sections", "-z", "max-page-size=4096" },
			},
			deps = { "bootstrap-lib" },
		}
	end

	local multicall_schema = { applets = "list", install = "string", skip = "table" }
	function R.multicall(t)
		check_fields(t, multicall_schema, "redox.multicall{}")
		local dir = redox "recipes/core/uutils/source"
		if fs.exists(dir .. "/Cargo.toml") ~= "file" then return end
		local ws = R.workspace(dir)
		local m = R.member(ws, "coreutils", "coreutils")
		local defined = m and R.features(m) or {}
		local features, links, missing = {}, {}, {}
		local at = t.install or "/usr/bin/coreutils"
		for _, f in ipairs(t.applets) do
			if defined[f] then
				features[#features + 1] = f
				if not (t.skip or {})[f] then
					local link = (at:gsub("[^/]+$", "")) .. f
					links[link] = { symlink = (at:match("([^/]+)$")) }
					R.installed["rootfs:" .. link] = "coreutils"
				end
			elseif m then
				missing[#missing + 1] = f
			end
		end
		if #missing > 0 then
			note(sfmt("uutils: %s/Cargo.toml defines no applet %s (not built)", m.dir, table.concat(missing, ", ")))
		end
		R.program {
			name = "coreutils", workspace = ws, package = "coreutils", bin = "coreutils",
			no_default_features = true, features = features, rustflags = { "-Clto=no" },
			install = { rootfs = at },
		}
		links.name, links.image = "coreutils-applets", "rootfs"
		files(links)
	end

	local bootloader_schema = { file = "string" }
	function R.bootloader(t)
		t = t or {}
		check_fields(t, bootloader_schema, "redox.bootloader{}")
		local name = arch == "aarch64" and "BOOTAA64.EFI" or "BOOTX64.EFI"
		local file = t.file or opt "bootloader"
		if not file then
			local committed = redox("denovo/bootloader/EFI/BOOT/" .. name) -- where the fork keeps it
			if fs.exists(committed) == "file" then file = committed end
		end
		if not file then
			problem(sfmt("no UEFI bootloader: configure --bootloader=FILE with a prebuilt %s (built with LLVM for %s-unknown-uefi, e.g. from an upstream Redox image's ESP); Cranelift cannot build it [F15]",
				name, arch), false)
			return
		end
		if fs.exists(file) ~= "file" then problem("--bootloader=" .. file .. ": no such file", "kiln.conf") return end
		report("bootloader", file)
		component {
			name = "bootloader", kind = "uefi", dir = R.src,
			description = "prebuilt UEFI bootloader " .. file,
			build = prebuilt { file = file },
			install = { esp = "/EFI/BOOT/" .. name },
		}
	end
end
