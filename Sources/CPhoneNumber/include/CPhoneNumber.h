// CPhoneNumber: the C interface of our libphonenumber shim. Only the Swift type
// ClientsService.PhoneNumber calls it; nothing else includes libphonenumber.
#ifndef CPHONENUMBER_H
#define CPHONENUMBER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What cp_normalize answers: CP_OK, or why the input is not a phone number.
typedef enum {
    /// Parsed and valid: `out` holds the number in E.164 ("+79123456789").
    CP_OK = 0,
    /// The default region is not one libphonenumber has metadata for.
    CP_INVALID_REGION = 1,
    /// The input does not look like a phone number at all.
    CP_NOT_A_NUMBER = 2,
    /// The country calling code (after "+" or the region's international prefix) does not exist.
    CP_INVALID_COUNTRY_CODE = 3,
    /// Too few digits after the international prefix.
    CP_TOO_SHORT_AFTER_IDD = 4,
    /// Shorter than every number of its country.
    CP_TOO_SHORT = 5,
    /// Longer than every number of its country.
    CP_TOO_LONG = 6,
    /// A length no number of its country has (between the shortest and the longest).
    CP_INVALID_LENGTH = 7,
    /// The right length, but no number of its country is shaped like it.
    CP_NOT_VALID = 8,
    /// `out` is too small for the answer (E.164 needs at most 17 bytes with the NUL).
    CP_BUFFER_TOO_SMALL = 9,
    /// An argument is NULL.
    CP_BAD_ARGUMENT = 10,
} cp_status;

/// Parses `input` (UTF-8; a number without "+" is read as dialled in `region`, a CLDR region
/// code like "RU") and, when it is a valid number, writes its E.164 form, NUL-terminated, to
/// `out`. Returns a cp_status. Thread-safe.
int cp_normalize(const char *input, const char *region, char *out, size_t out_len);

/// 1 when libphonenumber has metadata for `region` (like "RU" or "US"), else 0.
int cp_is_supported_region(const char *region);

#ifdef __cplusplus
}
#endif

#endif
