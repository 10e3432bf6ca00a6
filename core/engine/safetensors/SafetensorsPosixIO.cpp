#include "engine/safetensors/SafetensorsPosixIO.h"

#include "engine/EngineError.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ckptlab::engine {

namespace {

std::string systemError(const std::string& action)
{
    return action + ": " + std::strerror(errno);
}

std::string parentFolder(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

std::shared_ptr<MappedFile> MappedFile::map(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw EngineError(path, systemError("cannot open"));
    struct stat info {};
    std::string problem;
    if (::fstat(fd, &info) != 0)
        problem = systemError("cannot stat");
    else if (!S_ISREG(info.st_mode))
        problem = "not a regular file";
    if (!problem.empty()) {
        ::close(fd);
        throw EngineError(path, problem);
    }
    const auto size = static_cast<std::size_t>(info.st_size);
    void* data = nullptr;
    if (size > 0) {
        data = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (data == MAP_FAILED) {
            const std::string detail = systemError("cannot map into memory");
            ::close(fd);
            throw EngineError(path, detail);
        }
    }
    ::close(fd);   // the mapping keeps the file open
    return std::shared_ptr<MappedFile>(new MappedFile(static_cast<std::uint8_t*>(data), size));
}

MappedFile::MappedFile(std::uint8_t* data, std::size_t size)
    : m_data(data)
    , m_size(size)
{
}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(m_data, m_size);
}

AtomicFileWriter::AtomicFileWriter(std::string path)
    : m_path(std::move(path))
{
    std::vector<char> name(m_path.begin(), m_path.end());
    const std::string suffix = ".tmp-XXXXXX";
    name.insert(name.end(), suffix.begin(), suffix.end());
    name.push_back('\0');
    m_fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (m_fd < 0)
        throw EngineError(m_path, systemError("cannot create a temporary file beside it"));
    m_tempPath = name.data();
    ::fchmod(m_fd, 0644);   // mkstemp creates 0600; a checkpoint should read like any other file
}

AtomicFileWriter::~AtomicFileWriter()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        ::unlink(m_tempPath.c_str());
    }
}

void AtomicFileWriter::write(const void* bytes, std::size_t size)
{
    const auto* cursor = static_cast<const char*>(bytes);
    while (size > 0) {
        const ssize_t written = ::write(m_fd, cursor, size);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            throw EngineError(m_path, systemError("cannot write"));
        cursor += written;
        size -= static_cast<std::size_t>(written);
    }
}

void AtomicFileWriter::commit()
{
    if (::fsync(m_fd) != 0)
        throw EngineError(m_path, systemError("cannot flush to disk"));
    if (::close(m_fd) != 0) {
        m_fd = -1;
        ::unlink(m_tempPath.c_str());
        throw EngineError(m_path, systemError("cannot close"));
    }
    m_fd = -1;
    if (::rename(m_tempPath.c_str(), m_path.c_str()) != 0) {
        const std::string detail = systemError("cannot rename the temporary file into place");
        ::unlink(m_tempPath.c_str());
        throw EngineError(m_path, detail);
    }
    // Make the rename itself durable; failing here loses nothing already visible, so best effort.
    const int folder = ::open(parentFolder(m_path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder >= 0) {
        ::fsync(folder);
        ::close(folder);
    }
}

} // namespace ckptlab::engine
