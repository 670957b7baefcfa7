#include "modules/nathelper/fifo_cmds.hpp"

#include <fmt/format.h>

#include "modules/nathelper/nathelper.hpp"
#include "ser/log.hpp"

namespace ser::mod::nathelper {

namespace {

std::string state_of(const RtppNode& n, uint64_t now) {
    uint64_t until = n.disabled_until.load();
    if (until == RtppNode::kNever) return "disabled";
    if (until > now) return fmt::format("disabled (tested again in {} s)", (until - now + 999) / 1000);
    return n.tested.load() ? "enabled" : "enabled (not tested yet)";
}

}  // namespace

int fifo_show_rtpp(Module& self, FifoRequest& req) {
    auto& nh = static_cast<Nathelper&>(self);
    uint64_t now = nh.core().now_ms();
    req.reply("200 ok\n");
    for (size_t i = 0; i < nh.proxies.size(); ++i) {
        RtppNode& n = nh.proxies.node(i);
        req.reply(fmt::format("{} weight={} {}\n", n.name, n.weight, state_of(n, now)));
    }
    return 1;
}

int fifo_enable_rtpp(Module& self, FifoRequest& req) {
    auto& nh = static_cast<Nathelper&>(self);
    auto name = req.read_line();
    auto flag = name ? req.read_line() : std::nullopt;
    if (!name || name->empty() || !flag || (*flag != "0" && *flag != "1")) {
        req.reply("400 nh_enable_rtpp: rtpproxy_sock entry and 0 or 1 expected\n");
        return -1;
    }
    for (size_t i = 0; i < nh.proxies.size(); ++i) {
        RtppNode& n = nh.proxies.node(i);
        // The entry as written in rtpproxy_sock, with or without its "=weight".
        std::string_view bare = std::string_view(n.name).substr(0, n.name.rfind('='));
        if (n.name != *name && bare != *name) continue;
        if (*flag == "1") {
            n.tested = false;
            n.disabled_until = 0;
        } else {
            n.disabled_until = RtppNode::kNever;
        }
        SER_NOTICE("nathelper: RTP proxy {} {} by the management interface", n.name,
                   *flag == "1" ? "enabled" : "disabled");
        req.reply(fmt::format("200 RTP proxy {} {}\n", n.name, *flag == "1" ? "enabled" : "disabled"));
        return 1;
    }
    req.reply(fmt::format("404 nh_enable_rtpp: no RTP proxy {}\n", *name));
    return -1;
}

}  // namespace ser::mod::nathelper
