// Methods and the CSeq header (RFC 3261 §20.16).
#pragma once

#include <cstdint>
#include <string_view>

namespace ser::sip {

enum class Method : uint8_t {
    Other, Invite, Ack, Cancel, Bye, Register, Options, Info, Update, Prack,
    Subscribe, Notify, Message, Refer, Publish,
};

// Case-insensitive like SER's first-line parser ("invite" is an INVITE).
Method method_from_text(std::string_view m);

struct CSeq {
    std::string_view number;    // digits as written
    std::string_view method;
    uint32_t num = 0;
    Method method_id = Method::Other;
};

// "1*DIGIT LWS method"; the number must fit 32 bits (RFC 3261 §8.1.1.5,
// RFC 4475 scalar02/scalarlg), the method must be a token.
bool parse_cseq(std::string_view value, CSeq& out);

}  // namespace ser::sip
