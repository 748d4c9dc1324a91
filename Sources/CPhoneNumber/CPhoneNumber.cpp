// The shim over libphonenumber's PhoneNumberUtil behind include/CPhoneNumber.h.
#include "CPhoneNumber.h"

#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

cp_status parseFailure(PhoneNumberUtil::ErrorType error) {
    switch (error) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return CP_INVALID_COUNTRY_CODE;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: return CP_TOO_SHORT_AFTER_IDD;
    case PhoneNumberUtil::TOO_SHORT_NSN: return CP_TOO_SHORT;
    case PhoneNumberUtil::TOO_LONG_NSN: return CP_TOO_LONG;
    default: return CP_NOT_A_NUMBER;
    }
}

cp_status possibilityFailure(PhoneNumberUtil::ValidationResult result) {
    switch (result) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE: return CP_INVALID_COUNTRY_CODE;
    case PhoneNumberUtil::TOO_SHORT: return CP_TOO_SHORT;
    case PhoneNumberUtil::TOO_LONG: return CP_TOO_LONG;
    case PhoneNumberUtil::INVALID_LENGTH: return CP_INVALID_LENGTH;
    default: return CP_NOT_VALID;
    }
}

}  // namespace

extern "C" int cp_is_supported_region(const char *region) {
    if (region == nullptr) return 0;
    const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    // The country code of an unknown region is 0.
    return util->GetCountryCodeForRegion(region) != 0 ? 1 : 0;
}

extern "C" int cp_normalize(const char *input, const char *region, char *out, size_t out_len) {
    if (input == nullptr || region == nullptr || out == nullptr) return CP_BAD_ARGUMENT;
    if (!cp_is_supported_region(region)) return CP_INVALID_REGION;
    const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    PhoneNumberUtil::ErrorType error = util->Parse(input, region, &number);
    if (error != PhoneNumberUtil::NO_PARSING_ERROR) return parseFailure(error);
    PhoneNumberUtil::ValidationResult possible = util->IsPossibleNumberWithReason(number);
    if (possible != PhoneNumberUtil::IS_POSSIBLE) return possibilityFailure(possible);
    if (!util->IsValidNumber(number)) return CP_NOT_VALID;
    std::string formatted;
    util->Format(number, PhoneNumberUtil::E164, &formatted);
    if (formatted.size() + 1 > out_len) return CP_BUFFER_TOO_SMALL;
    std::memcpy(out, formatted.c_str(), formatted.size() + 1);
    return CP_OK;
}
