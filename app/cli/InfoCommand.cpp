#include "cli/CliCommand.h"

#include "jobs/ComputeRuntime.h"
#include "project/Schema.h"

#include <QCoreApplication>

namespace ckptlab::cli {

int runInfo(const QStringList&)
{
    configureCompute();
    const ComputeInfo info = computeInfo();
    print(QStringLiteral("ckptlab %1").arg(QCoreApplication::applicationVersion()));
    print(QStringLiteral("project schema version %1").arg(schema::latestVersion()));
    print(QStringLiteral("libtorch %1, %2 threads").arg(info.libtorchVersion).arg(info.threads));
    print(QStringLiteral("devices: %1").arg(info.devices.join(QStringLiteral(", "))));
    return 0;
}

} // namespace ckptlab::cli
