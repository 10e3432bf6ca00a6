#pragma once

// What the compute engine runs on, in Qt types, for the entry points and the UI (which never
// include engine headers): thread set-up once at program start, versions and devices.

#include <QString>
#include <QStringList>

namespace ckptlab {

struct ComputeInfo {
    QString libtorchVersion;
    int threads = 1;
    int cudaDeviceCount = 0;
    QStringList devices;   // "cpu", "cuda:0", ...
};

// Sets the engine's thread count to the machine's cores (or CKPTLAB_THREADS). Call once.
void configureCompute();
ComputeInfo computeInfo();
// cuda:0 when there is a GPU, else cpu.
QString defaultComputeDevice();

} // namespace ckptlab
