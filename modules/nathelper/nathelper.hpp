// nathelper (modules.md §12): NAT detection and fixing of SIP messages,
// control of RTP proxies that relay the media of NATed phones, and the
// keep-alive pings that hold the phones' NAT mappings open.
#pragma once

#include <string>
#include <string_view>

#include "modules/nathelper/rtpp_set.hpp"
#include "ser/api/tm.hpp"
#include "ser/api/usrloc.hpp"
#include "ser/metrics.hpp"
#include "ser/module.hpp"
#include "ser/socket.hpp"

namespace ser::mod::nathelper {

// force_rtp_proxy's flag letters (§12.6), parsed at start-up.
struct ForceFlags {
    bool asymmetric = false;   // a
    bool lookup_only = false;  // l
    bool force = false;        // f
    bool trust_sdp = false;    // r
    std::string iface;         // i/e letters in the order written
    int node = -1;             // n<digits>: that proxy only
    std::string invalid;       // an unknown letter: every call fails (logged)
};

bool parse_force_flags(std::string_view text, ForceFlags& out);

class Nathelper : public Module {
public:
    // Parameters (§12.1).
    int natping_interval = 0;
    bool ping_nated_only = false;
    std::string rtpproxy_sock = "unix:/var/run/rtpproxy.sock";
    bool rtpproxy_disable = false;
    int rtpproxy_disable_tout = 60;
    int rtpproxy_retr = 5;
    int rtpproxy_tout = 1;
    int received_avp = 42;
    std::string force_socket;
    std::string natping_method;

    api::UsrlocApi* ul = nullptr;
    api::TmApi* tm = nullptr;
    const SocketInfo* ping_socket = nullptr;   // force_socket, resolved
    RtppSet proxies;

    bool init(Core& core) override;
    bool child_init(int rank) override;
    void destroy() override;

    int nat_uac_test(sip::Msg& msg, unsigned flags);
    int fix_nated_contact(sip::Msg& msg);
    int fix_nated_sdp(sip::Msg& msg, unsigned flags);
    int fix_nated_register(sip::Msg& msg);
    int add_rcv_param(sip::Msg& msg);
    int force_rtp_proxy(sip::Msg& msg, const ForceFlags& flags, std::string_view ip);
    int unforce_rtp_proxy(sip::Msg& msg, int node);

    // One round of keep-alives (§12.9), run by the core's module timer.
    void ping_round();

    // Metrics (metrics.cpp); commands by kind: offer, answer, delete.
    enum RtppCommand { kOffer, kAnswer, kDelete };
    void register_metrics(Core& core);
    metrics::Counter rtpp_ok_[3], rtpp_failed_[3], rtpp_sessions_;
};

// "sip:<ip>:<port>" plus ";transport=TCP|TLS|SCTP" off UDP: the address a
// message really came from, as registrar stores it (§12.10).
std::string received_uri(const sip::Msg& msg);

}  // namespace ser::mod::nathelper
