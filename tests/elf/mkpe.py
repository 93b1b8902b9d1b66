#!/usr/bin/env python3
"""mkpe.py OUT [MACHINE] [SUBSYSTEM] [MAGIC]: write a minimal PE32+ image (1 KiB: headers,
one .text section of 512 bytes holding `ret`). Defaults: 0xaa64 (aarch64), 10 (EFI
application), 0x20b (PE32+). Used by tests/t-elf.sh to build valid and broken bootloaders."""
import struct
import sys

out = sys.argv[1]
machine = int(sys.argv[2], 0) if len(sys.argv) > 2 else 0xAA64
subsystem = int(sys.argv[3], 0) if len(sys.argv) > 3 else 10
magic = int(sys.argv[4], 0) if len(sys.argv) > 4 else 0x20B

dos = bytearray(64)
dos[0:2] = b"MZ"
struct.pack_into("<I", dos, 0x3C, 0x40)

coff = b"PE\0\0" + struct.pack("<HHIIIHH", machine, 1, 0, 0, 0, 240, 0x22)

opt = bytearray(240)
struct.pack_into("<HBBIIIII", opt, 0, magic, 14, 0, 0x200, 0, 0, 0x1000, 0x1000)
struct.pack_into("<QII", opt, 24, 0x10000000, 0x1000, 0x200)   # ImageBase, alignments
struct.pack_into("<II", opt, 56, 0x2000, 0x200)                # SizeOfImage, SizeOfHeaders
struct.pack_into("<HH", opt, 68, subsystem, 0x160)             # Subsystem, DllCharacteristics
struct.pack_into("<QQQQII", opt, 72, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)

sec = struct.pack("<8sIIIIIIHHI", b".text", 0x10, 0x1000, 0x200, 0x200, 0, 0, 0, 0, 0x60000020)

img = bytearray(dos + coff + opt + sec)
img += bytes(0x200 - len(img))
code = b"\xc0\x03\x5f\xd6" if machine == 0xAA64 else b"\xc3"      # ret
img += code + bytes(0x200 - len(code))
with open(out, "wb") as f:
    f.write(img)
