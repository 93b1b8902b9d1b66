-- bootloader.lua: the prebuilt UEFI bootloader (--bootloader), into the ESP's EFI/BOOT.
local redox = import "redox"
package "bootloader"
redox.bootloader {}
