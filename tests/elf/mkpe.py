#!/usr/bin/env python3
"""mkpe.py OUT [MACHINE] [SUBSYSTEM] [MAGIC] [DEFECT]: write a minimal PE32+ image (2 KiB:
headers, a .text section of 512 bytes holding `ret`, a .reloc section with one base
relocation block). Defaults: 0xaa64 (aarch64), 10 (EFI application), 0x20b (PE32+).
DEFECT breaks one thing a firmware needs: stripped (IMAGE_FILE_RELOCS_STRIPPED), entry0
(AddressOfEntryPoint 0), entrydata (the entry in the non-executable .reloc section),
imports (an import directory), badreloc (the relocation directory outside every section).
Used by tests/t-elf.sh to build valid and broken bootloaders."""
import struct
import sys

out = sys.argv[1]
machine = int(sys.argv[2], 0) if len(sys.argv) > 2 else 0xAA64
subsystem = int(sys.argv[3], 0) if len(sys.argv) > 3 else 10
magic = int(sys.argv[4], 0) if len(sys.argv) > 4 else 0x20B
defect = sys.argv[5] if len(sys.argv) > 5 else ""

dos = bytearray(64)
dos[0:2] = b"MZ"
struct.pack_into("<I", dos, 0x3C, 0x40)

chars = 0x22 | (1 if defect == "stripped" else 0)   # executable, large address aware
coff = b"PE\0\0" + struct.pack("<HHIIIHH", machine, 2, 0, 0, 0, 240, chars)

entry = {"entry0": 0, "entrydata": 0x2000}.get(defect, 0x1000)
opt = bytearray(240)
struct.pack_into("<HBBIIIII", opt, 0, magic, 14, 0, 0x200, 0x200, 0, entry, 0x1000)
struct.pack_into("<QII", opt, 24, 0x10000000, 0x1000, 0x200)   # ImageBase, alignments
struct.pack_into("<II", opt, 56, 0x3000, 0x200)                # SizeOfImage, SizeOfHeaders
struct.pack_into("<HH", opt, 68, subsystem, 0x160)             # Subsystem, DllCharacteristics
struct.pack_into("<QQQQII", opt, 72, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
if defect == "imports":
    struct.pack_into("<II", opt, 112 + 8 * 1, 0x1000, 40)      # import directory
reloc_rva = 0x8000 if defect == "badreloc" else 0x2000
struct.pack_into("<II", opt, 112 + 8 * 5, reloc_rva, 12)       # base relocation directory

text = struct.pack("<8sIIIIIIHHI", b".text", 0x10, 0x1000, 0x200, 0x200, 0, 0, 0, 0, 0x60000020)
reloc = struct.pack("<8sIIIIIIHHI", b".reloc", 12, 0x2000, 0x200, 0x400, 0, 0, 0, 0, 0x42000040)

img = bytearray(dos + coff + opt + text + reloc)
img += bytes(0x200 - len(img))
code = b"\xc0\x03\x5f\xd6" if machine == 0xAA64 else b"\xc3"      # ret
img += code + bytes(0x200 - len(code))
# one block: page RVA 0x1000, 12 bytes, a DIR64 fixup at offset 8 and a padding entry
block = struct.pack("<IIHH", 0x1000, 12, 0xA008, 0)
img += block + bytes(0x200 - len(block))
with open(out, "wb") as f:
    f.write(img)
