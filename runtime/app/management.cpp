#include "runtime/app/management.hpp"

#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <ctime>
#include <mutex>

#include <fmt/format.h>

#include "runtime/mgmt/core_commands.hpp"
#include "runtime/mgmt/db_command.hpp"
#include "ser/log.hpp"

namespace ser::app {

Management::Management(rt::Server& server, const cli::Options& options, ThreadTable& threads)
    : server_(server), options_(options), threads_(threads) {}

Management::~Management() { stop(); }

int Management::thread_count(const Settings& s) {
    int n = s.fifo.empty() ? 0 : 1;
    if (!s.unix_sock.empty()) n += s.unix_sock_children > 0 ? s.unix_sock_children : 1;
    return n;
}

bool Management::open(std::string& error) {
    const Settings& s = server_.settings();
    if (s.fifo.empty() && s.unix_sock.empty()) return true;
    // SER's order: module commands, then the core's, then DB (which lists
    // them newest first).
    rt::mgmt::CoreCommandContext ctx;
    ctx.argv = options_.argv;
    ctx.started = time(nullptr);
    ctx.server_header = s.server_header;
    ctx.processes = [this] { return threads_.rows(); };
    // A clean stop, as on SIGTERM (SER signalled its whole process group;
    // the workers here are threads of this process).
    ctx.shutdown = [] { kill(getpid(), SIGTERM); };
    if (!rt::mgmt::add_debug_command(commands_, error) ||
        !rt::mgmt::add_module_commands(commands_, server_.modules(), error) ||
        !rt::mgmt::add_core_commands(commands_, std::move(ctx), error))
        return false;
    if (!s.fifo.empty() && !s.fifo_db_url.empty() && !rt::mgmt::add_db_command(commands_, server_, s.fifo_db_url, error))
        return false;
    if (!s.fifo.empty()) {
        fifo_ = std::make_unique<rt::mgmt::FifoServer>(s, commands_);
        if (!fifo_->open(error)) return false;
    }
    if (!s.unix_sock.empty()) {
        unix_ = std::make_unique<rt::mgmt::UnixSockServer>(s, commands_);
        if (!unix_->open(error)) return false;
    }
    return true;
}

bool Management::start(int first_rank, const std::function<bool(int)>& worker_init) {
    struct Gate {
        std::mutex mu;
        std::condition_variable cv;
        int done = 0;
        bool ok = true;
    } gate;
    auto report = [&gate](bool ok) {
        std::lock_guard lk(gate.mu);
        ++gate.done;
        gate.ok = gate.ok && ok;
        gate.cv.notify_all();
        return ok;
    };
    int expected = 0, rank = first_rank;
    if (fifo_) {
        int r = rank++;
        threads_.describe(r, "fifo server");
        fifo_->start([&, r] { return report(worker_init(r)); });
        ++expected;
    }
    if (unix_) {
        int base = rank;
        for (int i = 0; i < unix_->children(); ++i) threads_.describe(base + i, fmt::format("unix domain socket server child={}", i));
        unix_->start([&, base](int child) { return report(worker_init(base + child)); });
        expected += unix_->children();
    }
    std::unique_lock lk(gate.mu);
    gate.cv.wait(lk, [&] { return gate.done >= expected; });
    return gate.ok;
}

void Management::stop() {
    if (fifo_) fifo_->stop();
    if (unix_) unix_->stop();
    fifo_.reset();
    unix_.reset();
}

}  // namespace ser::app
