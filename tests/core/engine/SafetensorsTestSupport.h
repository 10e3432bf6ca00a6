#pragma once

// Helpers for the safetensors tests: crafting files byte by byte and catching the engine's
// errors as text, so each test states what it feeds in and what message must come out.

#include "engine/EngineError.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>

#include <cstdint>
#include <string>

namespace safetensors_test {

// [u64 little-endian length][json][data], the layout of a safetensors file.
inline QByteArray craftFile(const QByteArray& json, const QByteArray& data = {})
{
    QByteArray bytes;
    auto length = static_cast<std::uint64_t>(json.size());
    for (int i = 0; i < 8; ++i, length >>= 8)
        bytes.append(static_cast<char>(length & 0xff));
    return bytes + json + data;
}

inline QByteArray lengthPrefix(std::uint64_t length)
{
    QByteArray bytes;
    for (int i = 0; i < 8; ++i, length >>= 8)
        bytes.append(static_cast<char>(length & 0xff));
    return bytes;
}

inline std::string writeFile(const QString& folder, const QString& name, const QByteArray& bytes)
{
    const QString path = QDir(folder).filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write test file %s", qPrintable(path));
    return path.toStdString();
}

struct CaughtError {
    bool thrown = false;
    std::string file;
    QString message;   // what(): "file: detail"
};

template <typename Action>
CaughtError engineErrorOf(Action&& action)
{
    try {
        action();
    } catch (const ckptlab::engine::EngineError& error) {
        return {true, error.file(), QString::fromStdString(error.what())};
    }
    return {};
}

inline QString sharedModel(const QString& name)
{
    return QDir(QStringLiteral(CKPTLAB_SHARED_DATA "/models")).filePath(name);
}

} // namespace safetensors_test
