#pragma once
namespace nexusmap {
inline constexpr const char* kVersion = "0.1.0";
}
