-- bootloader.lua: the UEFI bootloader is taken prebuilt (components.md 2.19, F15): Cranelift
-- cannot emit aarch64 PE/COFF (Aarch64AdrGotPage21) and macOS LLVM builds hang. It is checked
-- with the uefi policy (PE32+, the target's machine, EFI application) and goes into the ESP.
local R = import "lib/redox.lua"

local name = arch == "aarch64" and "BOOTAA64.EFI" or "BOOTX64.EFI"
local file = opt "bootloader"
if not file then
	local committed = redox("denovo/bootloader/EFI/BOOT/" .. name) -- where the fork keeps it
	if fs.exists(committed) == "file" then file = committed end
end
if not file then
	error(string.format("no UEFI bootloader: configure --bootloader=FILE with a prebuilt %s (built with LLVM for %s-unknown-uefi, e.g. from an upstream Redox image's ESP); Cranelift cannot build it (F15)", name, arch), 0)
end
if fs.exists(file) ~= "file" then error("--bootloader=" .. file .. ": no such file", 0) end

report("bootloader", file)
component {
	name = "bootloader",
	kind = "uefi",
	dir = R.src,
	description = "prebuilt UEFI bootloader " .. file,
	build = prebuilt { file = file },
	install = { esp = "/EFI/BOOT/" .. name },
}
