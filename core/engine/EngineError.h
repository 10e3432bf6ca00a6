#pragma once

// The one exception type the engine throws for bad input: a file (or folder) and what is wrong
// with it, phrased so a user can act on it. Standard library only.

#include <stdexcept>
#include <string>

namespace ckptlab::engine {

class EngineError : public std::runtime_error {
public:
    EngineError(std::string file, std::string detail)
        : std::runtime_error(file + ": " + detail)
        , m_file(std::move(file))
        , m_detail(std::move(detail))
    {
    }

    const std::string& file() const { return m_file; }
    const std::string& detail() const { return m_detail; }

private:
    std::string m_file;
    std::string m_detail;
};

} // namespace ckptlab::engine
