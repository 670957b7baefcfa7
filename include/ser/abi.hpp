// Bumped whenever a type a module sees changes layout or meaning.
#pragma once
#include <cstdint>

namespace ser {
inline constexpr uint32_t kAbiVersion = 5;
inline constexpr const char* kAbiSymbol = "ser_module_exports";
}  // namespace ser
