#include "runtime/app/metrics_service.hpp"

#include <ctime>

#include <fmt/format.h>

#include "ser/log.hpp"
#include "ser/metrics.hpp"
#include "ser/version.hpp"

namespace ser::app {

namespace {
// One sample per UDP worker, labelled with the worker's index.
template <class T> void per_worker(const std::vector<T>& values, std::vector<metrics::Sample>& out) {
    for (size_t i = 0; i < values.size(); ++i) out.push_back({{std::to_string(i)}, double(values[i])});
}
}  // namespace

bool MetricsService::start(std::string& error) {
    const std::string& setting = server_.settings().metrics_listen;
    if (setting.empty()) return true;
    metrics::ListenAddress addr;
    if (!metrics::parse_listen_address(setting, addr, error)) {   // checked by the config loader already
        error = "metrics_listen: " + error;
        return false;
    }
    metrics::Registry& r = server_.metrics();
    using metrics::Type;
    const double started = double(std::time(nullptr));
    callbacks_.push_back(r.collect(Type::Gauge, "ser_process_start_time_seconds",
                                   "When ser started (UNIX time)", [started] { return started; }));
    callbacks_.push_back(r.collect(Type::Gauge, "ser_build_info", "ser's version (the value is 1)", {"version"},
                                   [](std::vector<metrics::Sample>& out) { out.push_back({{kVersion}, 1}); }));
    callbacks_.push_back(r.collect(Type::Gauge, "ser_receiver_threads", "Threads reading SIP from the sockets",
                                   [this] { return double(net_.worker_count()); }));
    // What other workers queued for a UDP worker (when they spread or share
    // their sockets, udp_dispatch.hpp) and it has not processed: its backlog.
    callbacks_.push_back(r.collect(Type::Gauge, "ser_udp_worker_queue_depth",
                                   "Datagrams handed to a UDP worker and not yet processed", {"worker"},
                                   [this](std::vector<metrics::Sample>& out) {
                                       per_worker(net_.udp_queue_depths(), out);
                                   }));
    callbacks_.push_back(r.collect(Type::Counter, "ser_udp_worker_queue_drops_total",
                                   "Datagrams dropped because a UDP worker's queue was full (overload)", {"worker"},
                                   [this](std::vector<metrics::Sample>& out) {
                                       per_worker(net_.udp_queue_drops(), out);
                                   }));
    http_ = std::make_unique<metrics::HttpListener>([&r] { return r.render(); });
    if (!http_->open(addr, error) || !http_->start(error)) {
        stop();
        return false;
    }
    SER_INFO("metrics on http://{}/metrics", setting);
    return true;
}

void MetricsService::stop() {
    if (http_) http_->stop();
    http_.reset();
    for (uint64_t id : callbacks_) server_.metrics().remove(id);
    callbacks_.clear();
}

}  // namespace ser::app
