#pragma once
namespace vomsrepl::app {
inline constexpr const char* kVersion = "0.1.0";
}
