#include "runtime/mgmt/core_commands.hpp"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "runtime/core/log_sink.hpp"
#include "ser/log.hpp"

namespace ser::rt::mgmt {

namespace {

using Iface = FifoRequest::Interface;

bool unix_sock(const FifoRequest& r) { return r.interface() == Iface::UnixSocket; }
const char* ok_line(const FifoRequest& r) { return unix_sock(r) ? "200 OK\n" : "200 ok\n"; }

std::string ctime_text(time_t t) {
    char buf[64];
    return ctime_r(&t, buf) ? std::string(buf) : std::string("?\n");
}

// print's line must fit SER's 256-byte buffer with its newline.
constexpr size_t kMaxPrintText = 254;

}  // namespace

bool add_debug_command(CommandTable& table, std::string& error) {
    // debug [level]: shows, or sets, the level every thread logs at (an
    // atomic: workers see the new level with their next message).
    return table.add("debug", [](FifoRequest& r) {
        auto line = r.read_line();
        if (!line || line->empty()) {
            r.reply(fmt::format("200 debug level is {}\n", log_level()));
            return 1;
        }
        char* end;
        long v = strtol(line->c_str(), &end, 10);
        if (*end || v < L_ALERT || v > L_DBG) {
            r.reply(fmt::format("400 debug: level expected ({}..{}), got '{}'\n", int(L_ALERT), int(L_DBG), *line));
            return -1;
        }
        int old = log_level();
        set_log_level(int(v));
        SER_NOTICE("log level changed from {} to {} by the management interface", old, v);
        r.reply(fmt::format("200 debug level set to {} (was {})\n", v, old));
        return 1;
    }, error);
}

bool add_core_commands(CommandTable& table, CoreCommandContext c, std::string& error) {
    auto ctx = std::make_shared<CoreCommandContext>(std::move(c));
    return table.add("print", [](FifoRequest& r) {
               auto line = r.read_line();
               if (!line || line->size() > kMaxPrintText) {
                   r.reply(unix_sock(r) ? "500 Error while reading text\n" : "500 print_fifo_cmd: too big text");
                   return -1;
               }
               r.reply(fmt::format("{}{}\n", ok_line(r), *line));
               return 1;
           }, error) &&
           table.add("uptime", [ctx](FifoRequest& r) {
               time_t now = time(nullptr);
               r.reply(fmt::format("{}Now: {}Up Since: {}Up time: {:.0f} [sec]\n", ok_line(r), ctime_text(now),
                                   ctime_text(ctx->started), difftime(now, ctx->started)));
               return 1;
           }, error) &&
           table.add("version", [ctx](FifoRequest& r) {
               r.reply(fmt::format("{}{}\r\n", ok_line(r), ctx->server_header));
               return 1;
           }, error) &&
           table.add("pwd", [](FifoRequest& r) {
               char buf[PATH_MAX];
               if (!getcwd(buf, sizeof buf)) {
                   r.reply(unix_sock(r) ? "500 getcwd Failed\n" : "500 getcwd failed\n");
                   return 1;
               }
               r.reply(fmt::format("{}{}\n", ok_line(r), buf));
               return 1;
           }, error) &&
           table.add("arg", [ctx](FifoRequest& r) {
               r.reply(ok_line(r));
               for (const auto& a : ctx->argv) r.reply(a + "\n");
               return 1;
           }, error) &&
           table.add("which", [&table](FifoRequest& r) {
               r.reply(ok_line(r));
               for (const auto& n : table.names_newest_first()) r.reply(n + "\n");
               return 1;
           }, error) &&
           table.add("ps", [ctx](FifoRequest& r) {
               r.reply(ok_line(r));
               if (ctx->processes)
                   for (const auto& p : ctx->processes()) r.reply(fmt::format("{}\t{}\t{}\n", p.index, p.tid, p.description));
               return 1;
           }, error) &&
           table.add("kill", [ctx](FifoRequest& r) {
               r.reply(unix_sock(r) ? "200 Killing now\n" : "200 killing now...");
               if (ctx->shutdown) ctx->shutdown();
               return 1;
           }, error);
}

}  // namespace ser::rt::mgmt
