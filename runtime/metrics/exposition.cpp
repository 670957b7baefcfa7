#include "runtime/metrics/exposition.hpp"

#include <cmath>

#include <fmt/format.h>

namespace ser::metrics {

namespace {

// HELP text escapes backslash and newline; label values also the quote.
void append_escaped(std::string& out, std::string_view s, bool quote) {
    for (char c : s) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (quote && c == '"') out += "\\\"";
        else out += c;
    }
}

const char* type_text(Type t) {
    switch (t) {
    case Type::Counter: return "counter";
    case Type::Gauge: return "gauge";
    case Type::Histogram: return "histogram";
    }
    return "untyped";
}

// name{l1="v1",...[,le="b"]} value
void append_sample(std::string& out, std::string_view name, std::string_view suffix, const Labels& names,
                   const Labels& values, std::string_view le, double v) {
    out += name;
    out += suffix;
    if (!names.empty() || !le.empty()) {
        out += '{';
        for (size_t i = 0; i < names.size(); ++i) {
            if (i) out += ',';
            out += names[i];
            out += "=\"";
            append_escaped(out, values[i], true);
            out += '"';
        }
        if (!le.empty()) {
            if (!names.empty()) out += ',';
            out += "le=\"";
            out += le;
            out += '"';
        }
        out += '}';
    }
    out += ' ';
    out += format_value(v);
    out += '\n';
}

}  // namespace

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) return fmt::format("{}", int64_t(v));
    return fmt::format("{}", v);
}

std::string render_text(const std::vector<FamilySnapshot>& families) {
    std::string out;
    out.reserve(families.size() * 256);
    for (const auto& f : families) {
        out += "# HELP ";
        out += f.name;
        out += ' ';
        append_escaped(out, f.help, false);
        out += "\n# TYPE ";
        out += f.name;
        out += ' ';
        out += type_text(f.type);
        out += '\n';
        for (const auto& s : f.series) {
            if (f.type != Type::Histogram) {
                append_sample(out, f.name, "", f.label_names, s.values, {}, s.value);
                continue;
            }
            for (size_t i = 0; i < s.buckets.size(); ++i) {
                std::string le = i < f.bounds.size() ? format_value(f.bounds[i]) : "+Inf";
                append_sample(out, f.name, "_bucket", f.label_names, s.values, le, double(s.buckets[i]));
            }
            append_sample(out, f.name, "_sum", f.label_names, s.values, {}, s.sum);
            append_sample(out, f.name, "_count", f.label_names, s.values, {},
                          s.buckets.empty() ? 0.0 : double(s.buckets.back()));
        }
    }
    return out;
}

}  // namespace ser::metrics
