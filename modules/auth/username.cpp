#include "modules/auth/username.hpp"

namespace ser::mod::auth {

void split_username(std::string_view whole, std::string_view& user, std::string_view& domain) {
    user = whole;
    domain = {};
    if (whole.size() <= 2) return;
    size_t at = whole.find('@');
    if (at == std::string_view::npos) return;
    user = whole.substr(0, at);
    domain = whole.substr(at + 1);
}

}  // namespace ser::mod::auth
