#pragma once

// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits: the stable prompt hash
// stored with every prediction. Standard library only.

#include <string>
#include <string_view>

namespace ckptlab::engine {

std::string sha256Hex(std::string_view bytes);

} // namespace ckptlab::engine
