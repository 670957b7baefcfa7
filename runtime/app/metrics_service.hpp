// The metrics endpoint of a running server (`metrics_listen`): the process
// gauges only the running server knows (receiver threads, their hand-off
// queues), and the HTTP listener serving the registry. Off when the
// setting is empty: then no port is opened and nothing runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/core/server.hpp"
#include "runtime/metrics/http_listener.hpp"
#include "runtime/net/net_transport.hpp"

namespace ser::app {

class MetricsService {
public:
    MetricsService(rt::Server& server, const rt::NetTransport& net) : server_(server), net_(net) {}
    ~MetricsService() { stop(); }
    MetricsService(const MetricsService&) = delete;
    MetricsService& operator=(const MetricsService&) = delete;

    // After the receivers started: binds and serves. False + error (the
    // address in use, ...); true and nothing done when the setting is empty.
    bool start(std::string& error);
    // Before the receivers and the modules go (it reads their state).
    void stop();

private:
    rt::Server& server_;
    const rt::NetTransport& net_;
    std::unique_ptr<metrics::HttpListener> http_;
    std::vector<uint64_t> callbacks_;
};

}  // namespace ser::app
