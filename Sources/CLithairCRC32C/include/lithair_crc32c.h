#ifndef LITHAIR_CRC32C_H
#define LITHAIR_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU has a CRC-32C instruction (SSE 4.2 on x86-64, the CRC extension on ARM64).
int lithair_crc32c_hardware_available(void);

/// Runs the CRC-32C register `crc` over `length` bytes at `data` with that instruction: no
/// inversion before or after. Call only when `lithair_crc32c_hardware_available()` is true.
uint32_t lithair_crc32c_hardware(uint32_t crc, const void *data, size_t length);

#endif
