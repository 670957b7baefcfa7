#include "runtime/core/branch.hpp"

#include <openssl/evp.h>

#include "ser/sip/msg.hpp"

namespace ser::rt {

namespace {

void add(EVP_MD_CTX* ctx, std::string_view s) { EVP_DigestUpdate(ctx, s.data(), s.size()); }

}  // namespace

std::string stateless_branch(sip::Msg& msg) {
    const sip::CSeq* cseq = msg.cseq();
    std::string_view callid = msg.call_id();
    std::string_view cseq_num = cseq ? cseq->number : std::string_view();

    // Hash of Call-ID + CSeq number into 1..65535.
    uint32_t h = 2166136261u;
    for (char c : callid) h = (h ^ uint8_t(c)) * 16777619u;
    for (char c : cseq_num) h = (h ^ uint8_t(c)) * 16777619u;
    uint32_t slot = (h % 65535u) + 1;

    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
    const sip::HeaderField* from = msg.header(sip::HdrType::From);
    const sip::HeaderField* to = msg.header(sip::HdrType::To);
    if (from) add(ctx, from->value);
    if (to) add(ctx, to->value);
    add(ctx, callid);
    add(ctx, msg.ruri());
    add(ctx, cseq_num);
    if (const sip::ViaBody* v = msg.via1()) {
        add(ctx, v->host);
        add(ctx, v->port_text);
        if (v->branch) add(ctx, *v->branch);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);

    static const char* hex = "0123456789abcdef";
    std::string out = "z9hG4bK";
    do {  // least significant digit first, as SER
        out += hex[slot & 0xf];
        slot >>= 4;
    } while (slot);
    out += '.';
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 0xf];
    }
    out += ".0";
    return out;
}

}  // namespace ser::rt
