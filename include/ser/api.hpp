// Typed, versioned inter-module APIs. An API is a class with
//   static constexpr std::string_view kName;   // e.g. "tm"
//   static constexpr uint32_t kVersion;        // bumped on any change
// The exporter registers it at init, users import it at init (or later):
//   export_api<api::TmApi>(core, this);
//   api::TmApi* tm = import_api<api::TmApi>(core);   // null: missing or other version
#pragma once

#include <cstdint>
#include <string_view>

#include "ser/core.hpp"

namespace ser {

template <class Api> bool export_api(Core& core, Api* api) {
    return core.register_api(Api::kName, Api::kVersion, static_cast<void*>(api));
}

template <class Api> Api* import_api(const Core& core) {
    return static_cast<Api*>(core.find_api(Api::kName, Api::kVersion));
}

}  // namespace ser
