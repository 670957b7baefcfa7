// Replies of save() (modules.md §7.4 step 6), always through sl: 200 with
// every valid binding in one Contact header, or the error of the table with
// P-Registrar-Error (and Retry-After for 5xx when configured).
#include "modules/registrar/registrar.hpp"
#include "ser/sip/dset.hpp"

namespace ser::mod::registrar {

namespace {

struct ErrorReply {
    int code;
    const char* reason;
    const char* text;
};

ErrorReply error_reply(Err e) {
    switch (e) {
        case Err::None: return {200, "OK", ""};
        case Err::Parse: return {400, "Bad Request", "Message parse error"};
        case Err::NoTo: return {400, "Bad Request", "To header not found"};
        case Err::NoCallId: return {400, "Bad Request", "Call-ID header not found"};
        case Err::NoCseq: return {400, "Bad Request", "CSeq header not found"};
        case Err::BadExpires: return {400, "Bad Request", "Expires parse error"};
        case Err::BadContact: return {400, "Bad Request", "Contact parse error"};
        case Err::StarExpires: return {400, "Bad Request", "* used in contact and expires is not zero"};
        case Err::StarMore: return {400, "Bad Request", "* used in contact and more than 1 contact"};
        case Err::BadAor: return {400, "Bad Request", "Error while parsing AOR"};
        case Err::AorTooLong: return {500, "Server Internal Error", "Address Of Record too long"};
        case Err::Unescape: return {400, "Bad Request", "Error while unescaping username"};
        case Err::BadQ: return {400, "Bad Request", "Invalid q param in contact"};
        case Err::BadCseq: return {400, "Bad Request", "Invalid CSeq number"};
        case Err::TooMany: return {503, "Service Unavailable", "Too many registered contacts"};
        case Err::UlDelete: return {500, "Server Internal Error", "usrloc_record_delete failed"};
        case Err::UlGet: return {500, "Server Internal Error", "usrloc_record_get failed"};
        case Err::UlNew: return {500, "Server Internal Error", "usrloc_record_new failed"};
        case Err::UlInsert: return {500, "Server Internal Error", "usrloc_contact_insert failed"};
        case Err::UlRemove: return {500, "Server Internal Error", "usrloc_contact_delete failed"};
        case Err::UlUpdate: return {500, "Server Internal Error", "usrloc_contact_update failed"};
    }
    return {500, "Server Internal Error", "Unknown error"};
}

}  // namespace

std::string Registrar::contact_list(const std::vector<api::Contact>& contacts, time_t now) const {
    std::string out;
    for (const auto& c : contacts) {
        if (!c.valid(now)) continue;
        out += out.empty() ? "Contact: <" : ", <";
        out += c.uri;
        out += '>';
        if (c.q != api::kQUnspecified) {
            out += ";q=";
            out += sip::q_to_string(c.q);
        }
        out += ";expires=";
        out += std::to_string(long(c.expires - now));
        if (!c.received.empty()) {
            out += ';';
            out += received_param;
            out += "=\"";
            out += c.received;
            out += '"';
        }
    }
    if (!out.empty()) out += "\r\n";
    return out;
}

int Registrar::send_reply(sip::Msg& msg, Err err, const std::vector<api::Contact>* bindings, time_t now) {
    ErrorReply r = error_reply(err);
    if (bindings) {
        std::string list = contact_list(*bindings, now);
        if (!list.empty()) msg.reply_lumps.push_back(std::move(list));
    }
    if (err != Err::None) {
        msg.reply_lumps.push_back(std::string("P-Registrar-Error: ") + r.text + "\r\n");
        if (r.code >= 500 && r.code < 600 && retry_after > 0)
            msg.reply_lumps.push_back("Retry-After: " + std::to_string(retry_after) + "\r\n");
    }
    return sl->send_reply(msg, r.code, r.reason);
}

}  // namespace ser::mod::registrar
