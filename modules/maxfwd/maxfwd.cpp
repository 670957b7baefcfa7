// maxfwd: Max-Forwards checking and decrementing (modules.md §5).
#include <string>
#include <string_view>

#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/module.hpp"
#include "ser/sip/msg.hpp"
#include "ser/text.hpp"

namespace ser::mod::maxfwd {


class Maxfwd : public Module {
public:
    long max_limit = 16;   // 0 = no limit (§5.1)

    bool init(Core& core) override {
        core_ = &core;
        // The setter already refuses bad values; a second check keeps init
        // honest when the instance is configured directly (tests, embedders).
        if (max_limit < 0 || max_limit > 255) {
            SER_ERR("maxfwd: max_limit ({}) out of range (0..255)", max_limit);
            return false;
        }
        return true;
    }
};

namespace {

bool set_max_limit(Module& self, const ParamValue& v, std::string& error) {
    if (v.number > 255) {
        error = fmt::format("max_limit ({}) too high (must be <= 255)", v.number);
        return false;
    }
    if (v.number < 0) {
        error = fmt::format("max_limit ({}) must not be negative", v.number);
        return false;
    }
    self_as<Maxfwd>(self).max_limit = v.number;
    return true;
}

bool fixup_max_value(Module& self, CallArg& arg, int index, std::string& error) {
    if (index != 0) return true;
    unsigned code = 0;
    if (!str2s(arg.text, code)) {
        error = fmt::format("bad number <{}>", arg.text);
        return false;
    }
    if (code > 255) {
        error = fmt::format("number too big <{}> (max=255)", code);
        return false;
    }
    long limit = self_as<Maxfwd>(self).max_limit;
    if (limit && long(code) > limit) {
        // [quirk] with the default limit of 16, mf_process_maxfwd_header("70")
        // refuses to start (modules.md §5.2).
        error = fmt::format("default value <{}> bigger than max_limit ({})", code, limit);
        return false;
    }
    arg.number = long(code);
    return true;
}

// Writes `value` right-aligned into `field`, left-padded with spaces. The
// value never needs more digits than the field has: it is smaller than the
// number that was written there.
void rewrite_in_place(char* field, size_t width, unsigned value) {
    size_t i = width;
    // [fix] write "0" for zero; the 0.9 base left only spaces (§5.2).
    do {
        field[--i] = char('0' + value % 10);
        value /= 10;
    } while (value && i > 0);
    while (i > 0) field[--i] = ' ';
}

int process_maxfwd_header(Module& self, sip::Msg& msg, const CallArg* args) {
    const sip::HeaderField* h = msg.header(sip::HdrType::MaxForwards);
    if (!h) {
        // At the top of the header section, so the forwarded request carries
        // it above the Via the proxy adds there (checklist 8).
        uint32_t at = msg.headers().empty() ? msg.headers_end() : msg.headers().front().offset;
        msg.lumps.insert(at, fmt::format("Max-Forwards: {}\r\n", args[0].number));
        return 1;
    }
    std::string_view value = trim_ws(h->value);
    unsigned n = 0;
    if (!str2s(value, n)) {
        // [quirk] a value that is not a number is left alone and passes.
        SER_ERR("maxfwd: unable to parse the max forwards number '{}'", value);
        return 1;
    }
    if (n == 0) return -1;
    long limit = self_as<Maxfwd>(self).max_limit;
    if (limit && long(n) > limit) {
        SER_DBG("maxfwd: value {} decreased to {}", n, limit);
        n = unsigned(limit) + 1;
    }
    // [quirk] edited in the received buffer, not through lumps: later
    // regex searches see the new value (§5.2).
    rewrite_in_place(msg.data() + msg.offset_of(value), value.size(), n - 1);
    return 1;
}

const CmdExport cmds[] = {
    {"mf_process_maxfwd_header", 1, process_maxfwd_header, fixup_max_value, kRequestRoute},
};

const ParamExport params[] = {
    {"max_limit", ParamType::Int, set_max_limit},
};

}  // namespace
}  // namespace ser::mod::maxfwd

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "maxfwd", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::maxfwd::Maxfwd; },
    ::ser::mod::maxfwd::cmds, SER_COUNT(::ser::mod::maxfwd::cmds),
    ::ser::mod::maxfwd::params, SER_COUNT(::ser::mod::maxfwd::params),
    nullptr, 0, nullptr, 0, 0}))
