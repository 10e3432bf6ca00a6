#pragma once

// The POSIX file work behind the safetensors reader and writer, kept in one place: mapping a
// file into memory and replacing a file atomically. Standard library only in this header.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace ckptlab::engine {

// A whole file mapped copy-on-write: tensors viewing it may be modified in place (the pages
// are then copied privately), the file never is. As with any mapping, truncating the file
// while it is mapped makes later reads fault; checkpoints are replaced by rename, which is safe.
class MappedFile {
public:
    static std::shared_ptr<MappedFile> map(const std::string& path);   // throws EngineError
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::uint8_t* data() const { return m_data; }   // nullptr for an empty file
    std::size_t size() const { return m_size; }

private:
    MappedFile(std::uint8_t* data, std::size_t size);

    std::uint8_t* m_data;
    std::size_t m_size;
};

// Writes a temporary file beside `path` and renames it over `path` on commit(), so readers
// see the old file or the complete new one, never a half-written one. Destroying the writer
// without commit() removes the temporary file.
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(std::string path);   // throws EngineError
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(const void* bytes, std::size_t size);   // throws EngineError
    void commit();                                     // fsync, rename; throws EngineError

private:
    std::string m_path;
    std::string m_tempPath;
    int m_fd = -1;
};

} // namespace ckptlab::engine
