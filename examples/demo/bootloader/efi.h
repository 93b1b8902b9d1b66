/* efi.h: the few UEFI types and services the demo bootloader uses (UEFI 2.x specification;
 * only the fields up to the last one used are spelled out, the rest are placeholders that
 * keep the offsets). Built for the *-windows targets, whose default calling convention is
 * the one UEFI uses, so no EFIAPI attribute is needed. */
#ifndef DEMO_EFI_H
#define DEMO_EFI_H

#include <stdint.h>

typedef uint64_t UINTN;
typedef uint64_t EFI_STATUS;
typedef void *EFI_HANDLE;
typedef uint16_t CHAR16;

#define EFI_SUCCESS 0
#define EFI_ERROR_BIT (1ull << 63)
#define EFI_LOAD_ERROR (EFI_ERROR_BIT | 1)
#define EFI_BUFFER_TOO_SMALL (EFI_ERROR_BIT | 5)

typedef struct { uint32_t a; uint16_t b, c; uint8_t d[8]; } EFI_GUID;

typedef struct {
	uint64_t Signature;
	uint32_t Revision, HeaderSize, CRC32, Reserved;
} EFI_TABLE_HEADER;

typedef struct SIMPLE_TEXT_OUTPUT {
	void *Reset;
	EFI_STATUS (*OutputString)(struct SIMPLE_TEXT_OUTPUT *self, const CHAR16 *s);
} SIMPLE_TEXT_OUTPUT;

/* memory types and allocation kinds (UEFI 7.2) */
enum { EfiLoaderCode = 1, EfiLoaderData = 2, EfiBootServicesCode = 3, EfiBootServicesData = 4,
	EfiConventionalMemory = 7 };
enum { AllocateAnyPages = 0 };
enum { ByProtocol = 2 };
enum { EfiResetShutdown = 2 };

typedef struct {
	uint32_t Type;
	uint64_t PhysicalStart, VirtualStart, NumberOfPages, Attribute;
} EFI_MEMORY_DESCRIPTOR;

typedef struct {
	EFI_TABLE_HEADER Hdr;
	void *RaiseTPL, *RestoreTPL;
	EFI_STATUS (*AllocatePages)(int type, int memtype, UINTN pages, uint64_t *addr);
	void *FreePages;
	EFI_STATUS (*GetMemoryMap)(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key,
	    UINTN *descsize, uint32_t *descver);
	void *AllocatePool, *FreePool;
	void *CreateEvent, *SetTimer, *WaitForEvent, *SignalEvent, *CloseEvent, *CheckEvent;
	void *InstallProtocolInterface, *ReinstallProtocolInterface, *UninstallProtocolInterface;
	EFI_STATUS (*HandleProtocol)(EFI_HANDLE h, const EFI_GUID *guid, void **iface);
	void *Reserved, *RegisterProtocolNotify, *LocateHandle, *LocateDevicePath;
	void *InstallConfigurationTable, *LoadImage, *StartImage, *Exit, *UnloadImage;
	EFI_STATUS (*ExitBootServices)(EFI_HANDLE image, UINTN key);
	void *GetNextMonotonicCount, *Stall, *SetWatchdogTimer;
	void *ConnectController, *DisconnectController;
	void *OpenProtocol, *CloseProtocol, *OpenProtocolInformation;
	void *ProtocolsPerHandle;
	EFI_STATUS (*LocateHandleBuffer)(int how, const EFI_GUID *guid, void *key, UINTN *count,
	    EFI_HANDLE **handles);
	void *LocateProtocol, *InstallMultipleProtocolInterfaces, *UninstallMultipleProtocolInterfaces;
	EFI_STATUS (*CalculateCrc32)(const void *data, UINTN size, uint32_t *crc);
} EFI_BOOT_SERVICES;

typedef struct {
	EFI_TABLE_HEADER Hdr;
	void *GetTime, *SetTime, *GetWakeupTime, *SetWakeupTime;
	void *SetVirtualAddressMap, *ConvertPointer;
	void *GetVariable, *GetNextVariableName, *SetVariable;
	void *GetNextHighMonotonicCount;
	void (*ResetSystem)(int type, EFI_STATUS status, UINTN size, const void *data);
} EFI_RUNTIME_SERVICES;

typedef struct {
	EFI_GUID VendorGuid;
	void *VendorTable;
} EFI_CONFIGURATION_TABLE;

typedef struct {
	EFI_TABLE_HEADER Hdr;
	const CHAR16 *FirmwareVendor;
	uint32_t FirmwareRevision;
	EFI_HANDLE ConsoleInHandle;
	void *ConIn;
	EFI_HANDLE ConsoleOutHandle;
	SIMPLE_TEXT_OUTPUT *ConOut;
	EFI_HANDLE StandardErrorHandle;
	void *StdErr;
	EFI_RUNTIME_SERVICES *RuntimeServices;
	EFI_BOOT_SERVICES *BootServices;
	UINTN NumberOfTableEntries;
	EFI_CONFIGURATION_TABLE *ConfigurationTable;
} EFI_SYSTEM_TABLE;

typedef struct {
	uint32_t Revision;
	EFI_HANDLE ParentHandle;
	EFI_SYSTEM_TABLE *SystemTable;
	EFI_HANDLE DeviceHandle;       /* the partition the bootloader was loaded from */
} EFI_LOADED_IMAGE;

typedef struct {
	uint32_t MediaId;
	uint8_t RemovableMedia, MediaPresent, LogicalPartition, ReadOnly, WriteCaching;
	uint32_t BlockSize, IoAlign;
	uint64_t LastBlock;
} EFI_BLOCK_IO_MEDIA;

typedef struct EFI_BLOCK_IO {
	uint64_t Revision;
	EFI_BLOCK_IO_MEDIA *Media;
	void *Reset;
	EFI_STATUS (*ReadBlocks)(struct EFI_BLOCK_IO *self, uint32_t media, uint64_t lba,
	    UINTN size, void *buf);
} EFI_BLOCK_IO;

/* a device path is a list of nodes, each with a 4-byte header; type 0x7F ends it */
typedef struct {
	uint8_t Type, SubType, Length[2];
} EFI_DEVICE_PATH;

#define EFI_LOADED_IMAGE_GUID { 0x5B1B31A1, 0x9562, 0x11d2, { 0x8E, 0x3F, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B } }
#define EFI_BLOCK_IO_GUID { 0x964E5B21, 0x6459, 0x11d2, { 0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B } }
#define EFI_DEVICE_PATH_GUID { 0x09576E91, 0x6D3F, 0x11d2, { 0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B } }
#define EFI_ACPI_20_TABLE_GUID { 0x8868E871, 0xE4F1, 0x11D3, { 0xBC, 0x22, 0x00, 0x80, 0xC7, 0x3C, 0x88, 0x81 } }
#define EFI_DTB_TABLE_GUID { 0xB1B621D5, 0xF19C, 0x41A5, { 0x83, 0x0B, 0xD9, 0x15, 0x2C, 0x69, 0xAA, 0xE0 } }

#endif
