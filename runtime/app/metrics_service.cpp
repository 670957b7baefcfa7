#include "runtime/app/metrics_service.hpp"

#include <ctime>

#include <fmt/format.h>

#include "ser/log.hpp"
#include "ser/metrics.hpp"
#include "ser/version.hpp"

namespace ser::app {

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
    // Each UDP receiver hands a datagram to the worker its Call-ID belongs
    // to; what waits there is that worker's backlog.
    callbacks_.push_back(r.collect(Type::Gauge, "ser_udp_worker_queue_depth",
                                   "Datagrams handed to a UDP worker and not yet processed", {"worker"},
                                   [this](std::vector<metrics::Sample>& out) {
                                       auto depths = net_.udp_queue_depths();
                                       for (size_t i = 0; i < depths.size(); ++i)
                                           out.push_back({{std::to_string(i)}, double(depths[i])});
                                   }));
    callbacks_.push_back(r.collect(Type::Counter, "ser_udp_worker_queue_drops_total",
                                   "Datagrams dropped because a UDP worker's queue was full (overload)", {"worker"},
                                   [this](std::vector<metrics::Sample>& out) {
                                       auto drops = net_.udp_queue_drops();
                                       for (size_t i = 0; i < drops.size(); ++i)
                                           out.push_back({{std::to_string(i)}, double(drops[i])});
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
