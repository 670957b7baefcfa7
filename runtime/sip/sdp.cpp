// SDP text parsing (no message needed: the fuzz target links this alone).
#include "ser/sip/sdp.hpp"

#include <charconv>

#include "ser/text.hpp"

namespace ser::sip {

namespace {


// Splits off the next space-separated field of `v` starting at `pos`.
std::string_view field(std::string_view v, size_t& pos) {
    while (pos < v.size() && v[pos] == ' ') ++pos;
    size_t start = pos;
    while (pos < v.size() && v[pos] != ' ') ++pos;
    return v.substr(start, pos - start);
}

bool parse_connection(const SdpLine& l, uint32_t line_index, const char* base, SdpConnection& c) {
    size_t pos = 0;
    c.net_type = field(l.value, pos);
    c.addr_type = field(l.value, pos);
    c.address = field(l.value, pos);
    if (c.net_type.empty() || c.addr_type.empty() || c.address.empty()) return false;
    c.address_offset = uint32_t(c.address.data() - base);
    c.line = line_index;
    return true;
}

}  // namespace

const SdpConnection* Sdp::connection_for(size_t i) const {
    if (i < media.size() && media[i].connection) return &*media[i].connection;
    return connection ? &*connection : nullptr;
}

std::optional<std::string_view> Sdp::attribute(std::string_view name, int m) const {
    uint32_t from = 0, to = uint32_t(lines.size());
    if (m < 0) {
        if (!media.empty()) to = media.front().first_line;
    } else {
        if (size_t(m) >= media.size()) return std::nullopt;
        from = media[size_t(m)].first_line;
        to = media[size_t(m)].end_line;
    }
    for (uint32_t i = from; i < to; ++i) {
        const SdpLine& l = lines[i];
        if (l.type != 'a') continue;
        std::string_view v = l.value;
        size_t colon = v.find(':');
        std::string_view n = v.substr(0, colon);
        if (n != name) continue;
        return colon == std::string_view::npos ? std::string_view() : v.substr(colon + 1);
    }
    return std::nullopt;
}

bool parse_sdp_text(std::string_view text, Sdp& out, const char* base) {
    if (!base) base = text.data();
    out = Sdp{};
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
        std::string_view line = text.substr(pos, next - pos);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
        if (!line.empty()) {
            if (line.size() < 2 || line[1] != '=') return false;
            SdpLine l;
            l.type = line[0];
            l.value = line.substr(2);
            l.offset = uint32_t(text.data() + pos - base);
            l.length = uint32_t(next - pos);
            out.lines.push_back(l);
        }
        pos = next;
    }
    if (out.lines.empty() || out.lines.front().type != 'v') return false;
    for (uint32_t i = 0; i < out.lines.size(); ++i) {
        const SdpLine& l = out.lines[i];
        if (l.type == 'm') {
            if (!out.media.empty()) out.media.back().end_line = i;
            SdpMedia m;
            size_t p = 0;
            m.media = field(l.value, p);
            m.port_text = field(l.value, p);
            m.proto = field(l.value, p);
            while (p < l.value.size() && l.value[p] == ' ') ++p;
            m.formats = l.value.substr(p);
            // "port/count" keeps only the port digits in port_text
            std::string_view digits = m.port_text.substr(0, m.port_text.find('/'));
            unsigned port = 0;
            auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
            if (m.media.empty() || digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
                port > 65535)
                return false;
            m.port_text = digits;
            m.port = uint16_t(port);
            m.port_offset = uint32_t(digits.data() - base);
            m.first_line = i;
            m.end_line = uint32_t(out.lines.size());
            out.media.push_back(m);
        } else if (l.type == 'c') {
            SdpConnection c;
            if (!parse_connection(l, i, base, c)) return false;
            if (out.media.empty()) out.connection = c;
            else out.media.back().connection = c;
        }
    }
    return true;
}

}  // namespace ser::sip
