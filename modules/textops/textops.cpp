// textops: descriptor and the reply-lump functions (modules.md §13).
#include "modules/textops/textops.hpp"

#include <fmt/format.h>

#include "ser/log.hpp"
#include "ser/sip/msg.hpp"

namespace ser::mod::textops {

std::string date_header(std::time_t t) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    if (!gmtime_r(&t, &tm)) return {};
    // strftime's %a/%b depend on the locale; SER ran in the C locale.
    return fmt::format("Date: {}, {:02} {} {:04} {:02}:{:02}:{:02} GMT\r\n", kDays[tm.tm_wday], tm.tm_mday,
                       kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int append_to_reply_f(Module&, sip::Msg& msg, const CallArg* args) {
    msg.reply_lumps.push_back(args[0].text);
    return 1;
}

int append_time_f(Module&, sip::Msg& msg, const CallArg*) {
    std::string h = date_header(std::time(nullptr));
    if (h.empty()) {
        SER_ERR("append_time: gmtime failed");
        return -1;
    }
    msg.reply_lumps.push_back(std::move(h));
    return 1;
}

namespace {

constexpr unsigned kROF = kRequestRoute | kOnReplyRoute | kFailureRoute;

const CmdExport cmds[] = {
    {"search", 1, search_f, fixup_regex, kROF},
    {"search_append", 2, search_append_f, fixup_regex, kROF},
    {"replace", 2, replace_f, fixup_regex, kROF},
    {"replace_all", 2, replace_all_f, fixup_regex, kROF},
    {"append_to_reply", 1, append_to_reply_f, nullptr, kRequestRoute},
    {"append_hf", 1, append_hf_f, nullptr, kROF},
    {"append_urihf", 2, append_urihf_f, nullptr, kRequestRoute | kFailureRoute},
    {"remove_hf", 1, remove_hf_f, nullptr, kROF},
    {"is_present_hf", 1, is_present_hf_f, nullptr, kROF},
    {"subst", 1, subst_f, fixup_subst, kROF},
    {"subst_uri", 1, subst_uri_f, fixup_subst, kROF},
    {"subst_user", 1, subst_user_f, fixup_subst, kROF},
    {"append_time", 0, append_time_f, nullptr, kRequestRoute},
};

}  // namespace
}  // namespace ser::mod::textops

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "textops", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::textops::Textops; },
    ::ser::mod::textops::cmds, SER_COUNT(::ser::mod::textops::cmds), nullptr, 0,
    nullptr, 0, nullptr, 0, 0}))
