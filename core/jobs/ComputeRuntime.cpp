#include "jobs/ComputeRuntime.h"

#include "engine/TorchRuntime.h"

namespace ckptlab {

void configureCompute()
{
    engine::configureThreads();
}

ComputeInfo computeInfo()
{
    const engine::RuntimeInfo info = engine::runtimeInfo();
    ComputeInfo out;
    out.libtorchVersion = QString::fromStdString(info.libtorchVersion);
    out.threads = info.intraOpThreads;
    out.cudaDeviceCount = info.cudaDeviceCount;
    for (const std::string& d : info.devices)
        out.devices << QString::fromStdString(d);
    return out;
}

QString defaultComputeDevice()
{
    return computeInfo().cudaDeviceCount > 0 ? QStringLiteral("cuda:0") : QStringLiteral("cpu");
}

} // namespace ckptlab
