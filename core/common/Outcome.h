#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace ckptlab {

// A value or a message a user can act on (file, line, key path). Core functions return
// this instead of throwing, so the UI can show the message and nothing is half-done.
template <typename T>
class Outcome {
public:
    Outcome(T value) : m_value(std::move(value)) {}
    static Outcome failure(QString message) { return Outcome(std::nullopt, std::move(message)); }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T& value() const& { return *m_value; }
    T& value() & { return *m_value; }
    T&& value() && { return std::move(*m_value); }
    const T* operator->() const { return &*m_value; }
    T* operator->() { return &*m_value; }
    const QString& error() const { return m_error; }

private:
    Outcome(std::nullopt_t, QString message) : m_error(std::move(message)) {}
    std::optional<T> m_value;
    QString m_error;
};

struct Done {};
using Status = Outcome<Done>;
inline Status success() { return Status(Done{}); }

} // namespace ckptlab
