// The core's SIP counters: messages received and sent, requests by method
// and replies by status class, indexed by the method id and the first digit
// of the status (no string is looked up per message).
#pragma once

#include <array>
#include <string_view>

#include "ser/metrics.hpp"
#include "ser/sip/cseq.hpp"

namespace ser::sip { class Msg; }

namespace ser::metrics {

class SipMeters {
public:
    // Registers the families (every method and class shows from the start, at 0).
    void bind(Registry& r);

    void received(const sip::Msg& msg) const;   // parsed
    void received_malformed() const { rx_malformed_.inc(); }
    // `data` is a whole message as it leaves: its first line says what it is.
    void sent(std::string_view data) const;
    void send_failed() const { tx_failed_.inc(); }

    static constexpr size_t kMethods = size_t(sip::Method::Publish) + 1;
    static std::string_view method_label(sip::Method m);

private:
    std::array<Counter, kMethods> rx_req_, tx_req_;
    std::array<Counter, 7> rx_rep_, tx_rep_;   // by status / 100; 0: outside 100-699
    Counter rx_malformed_, tx_failed_;
};

}  // namespace ser::metrics
