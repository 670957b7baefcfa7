#include "runtime/metrics/sip_meters.hpp"

#include <string>

#include "ser/sip/msg.hpp"
#include "ser/text.hpp"

namespace ser::metrics {

namespace {

constexpr std::string_view kMethodLabels[] = {"OTHER", "INVITE", "ACK", "CANCEL", "BYE", "REGISTER", "OPTIONS",
                                              "INFO", "UPDATE", "PRACK", "SUBSCRIBE", "NOTIFY", "MESSAGE",
                                              "REFER", "PUBLISH"};
static_assert(std::size(kMethodLabels) == SipMeters::kMethods, "a label for every sip::Method");

constexpr std::string_view kClassLabels[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx"};

size_t class_index(int status) { return status >= 100 && status <= 699 ? size_t(status / 100) : 0; }

// The method of a request line we send: upper case in practice (ours, or
// copied from a conforming peer), compared exactly and inline; any other
// spelling goes to the parser's case-insensitive lookup.
sip::Method method_of(std::string_view d) {
    size_t n = 0;
    while (n < d.size() && n < 10 && d[n] != ' ') ++n;
    const std::string_view m = d.substr(0, n);
    using M = sip::Method;
    switch (n) {
    case 3:
        if (m == "ACK") return M::Ack;
        if (m == "BYE") return M::Bye;
        break;
    case 6:
        if (m == "INVITE") return M::Invite;
        if (m == "CANCEL") return M::Cancel;
        if (m == "NOTIFY") return M::Notify;
        break;
    case 7:
        if (m == "OPTIONS") return M::Options;
        if (m == "MESSAGE") return M::Message;
        break;
    case 8:
        if (m == "REGISTER") return M::Register;
        break;
    default: break;
    }
    return sip::method_from_text(m);
}

}  // namespace

std::string_view SipMeters::method_label(sip::Method m) { return kMethodLabels[size_t(m)]; }

void SipMeters::bind(Registry& r) {
    for (size_t i = 0; i < kMethods; ++i) {
        const std::string m(kMethodLabels[i]);
        rx_req_[i] = r.counter("ser_sip_received_requests_total", "SIP requests received (parsed), by method",
                               {"method"}, {m});
        tx_req_[i] = r.counter("ser_sip_sent_requests_total", "SIP requests sent (forwarded, retransmitted or "
                               "our own; failed sends included), by method", {"method"}, {m});
    }
    for (size_t i = 0; i < rx_rep_.size(); ++i) {
        const std::string c(kClassLabels[i]);
        rx_rep_[i] = r.counter("ser_sip_received_replies_total", "SIP replies received (parsed), by status class",
                               {"class"}, {c});
        tx_rep_[i] = r.counter("ser_sip_sent_replies_total", "SIP replies sent (relayed or local; failed sends "
                               "included), by status class",
                               {"class"}, {c});
    }
    rx_malformed_ = r.counter("ser_sip_received_malformed_total", "Received messages dropped as unparsable");
    tx_failed_ = r.counter("ser_sip_send_failures_total", "Messages the transport could not send");
}

void SipMeters::received(const sip::Msg& msg) const {
    if (msg.is_request()) rx_req_[size_t(msg.method_id())].inc();
    else rx_rep_[class_index(msg.status())].inc();
}

void SipMeters::sent(std::string_view d) const {
    // "SIP/2.0 NNN ..." is a reply; otherwise the method is the first token.
    if (d.size() >= 12 && ascii_lower(d[0]) == 's' && iequals(d.substr(0, 8), "SIP/2.0 ")) {
        const char c = d[8];
        tx_rep_[c >= '1' && c <= '6' ? size_t(c - '0') : 0].inc();
        return;
    }
    tx_req_[size_t(method_of(d))].inc();
}

}  // namespace ser::metrics
