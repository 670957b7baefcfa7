// The authentication metrics auth and its backends (auth_db) count into:
// one family each, registered by whichever module comes first.
#pragma once

#include <string>

#include "ser/metrics.hpp"

namespace ser::mod::auth {

// ser_auth_failures_total{reason}: invalid_nonce, malformed (auth),
// stale_nonce (auth), unknown_user, wrong_password, db_error (backends).
inline metrics::Counter failure_counter(metrics::Registry& r, const char* reason) {
    return r.counter("ser_auth_failures_total", "Credentials that were not accepted, by reason", {"reason"},
                     {std::string(reason)});
}

}  // namespace ser::mod::auth
