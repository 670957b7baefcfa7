// nathelper's metrics (ser/metrics.hpp): RTP proxy commands and the
// sessions they created, and each proxy's health read at scrape time.
#include "modules/nathelper/nathelper.hpp"
#include "ser/metrics.hpp"

namespace ser::mod::nathelper {

void Nathelper::register_metrics(Core& core) {
    metrics::Registry& r = core.metrics();
    const char* help = "Commands answered by an RTP proxy: offer (U), answer (L), delete (D)";
    const char* fail = "Commands no RTP proxy answered (or answered with an error)";
    const char* names[] = {"offer", "answer", "delete"};
    for (size_t i = 0; i < 3; ++i) {
        rtpp_ok_[i] = r.counter("ser_rtpproxy_commands_total", help, {"command"}, {names[i]});
        rtpp_failed_[i] = r.counter("ser_rtpproxy_command_failures_total", fail, {"command"}, {names[i]});
    }
    rtpp_sessions_ = r.counter("ser_rtpproxy_sessions_created_total",
                               "Calls whose media force_rtp_proxy put through an RTP proxy (offers answered)");
    // 1: usable; 0: disabled after a failure until rtpproxy_disable_tout ends.
    r.collect(metrics::Type::Gauge, "ser_rtpproxy_node_up", "Whether an RTP proxy of rtpproxy_sock is usable",
              {"node"}, [this](std::vector<metrics::Sample>& out) {
                  for (size_t i = 0; i < proxies.size(); ++i) {
                      RtppNode& n = proxies.node(i);
                      const bool up = n.disabled_until.load() == 0 && n.tested.load();
                      out.push_back({{n.name}, up ? 1.0 : 0.0});
                  }
              });
}

}  // namespace ser::mod::nathelper
