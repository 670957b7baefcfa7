// The Prometheus text exposition format, version 0.0.4 (what a server
// answers to a scrape with "Content-Type: text/plain; version=0.0.4").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ser/metrics.hpp"

namespace ser::metrics {

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// # HELP and # TYPE of every family, then its samples (histograms as
// _bucket{le=...}, _sum and _count). Families are rendered in order.
std::string render_text(const std::vector<FamilySnapshot>& families);

// A sample value as the format writes it: integers without a fraction,
// "+Inf", "-Inf", "NaN".
std::string format_value(double v);

}  // namespace ser::metrics
