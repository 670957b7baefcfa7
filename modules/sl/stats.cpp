#include "modules/sl/stats.hpp"

#include <fmt/format.h>

namespace ser::mod::sl {

Stats::Bucket Stats::bucket(int code) {
    if (code >= 700 || code < 200) return kxxx;
    if (code >= 600) return k6xx;
    if (code >= 500) return code == 500 ? k500 : k5xx;
    if (code >= 400) {
        switch (code) {
        case 400: return k400;
        case 401: return k401;
        case 403: return k403;
        case 404: return k404;
        case 407: return k407;
        case 408: return k408;
        case 483: return k483;
        default: return k4xx;
        }
    }
    if (code >= 300) {
        switch (code) {
        case 300: return k300;
        case 301: return k301;
        case 302: return k302;
        default: return k3xx;
        }
    }
    switch (code) {
    case 200: return k200;
    case 202: return k202;
    default: return k2xx;
    }
}

std::string Stats::format() const {
    constexpr const char* eol = "      \n";
    std::string out;
    auto line = [&](std::string text) { out += text + eol; };
    line(fmt::format("200: {} 202: {} 2xx: {}", get(k200), get(k202), get(k2xx)));
    line(fmt::format("300: {} 301: {} 302: {} 3xx: {}", get(k300), get(k301), get(k302), get(k3xx)));
    line(fmt::format("400: {} 401: {} 403: {} 404: {} 407: {} 408: {} 483: {} 4xx: {}", get(k400),
                     get(k401), get(k403), get(k404), get(k407), get(k408), get(k483), get(k4xx)));
    line(fmt::format("500: {} 5xx: {}", get(k500), get(k5xx)));
    line(fmt::format("6xx: {}", get(k6xx)));
    line(fmt::format("xxx: {}", get(kxxx)));
    line(fmt::format("failures: {}", failures()));
    return out;
}

}  // namespace ser::mod::sl
