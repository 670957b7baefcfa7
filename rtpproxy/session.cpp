#include "rtpproxy/session.hpp"

#include "rtpproxy/player.hpp"
#include "rtpproxy/recorder.hpp"

namespace ser::rtpp {

Session::Session(std::string cid, std::string t) : call_id(std::move(cid)), tag(std::move(t)) {
    for (uint8_t c = 0; c < 2; ++c)
        for (uint8_t s = 0; s < 2; ++s) {
            ep[c][s].session = this;
            ep[c][s].channel = c;
            ep[c][s].side = s;
        }
}

Session::~Session() = default;

}  // namespace ser::rtpp
