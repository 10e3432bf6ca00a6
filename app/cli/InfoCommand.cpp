#include "cli/CliCommand.h"

#include "engine/TorchRuntime.h"
#include "project/Schema.h"

#include <QCoreApplication>

namespace ckptlab::cli {

int runInfo(const QStringList&)
{
    engine::configureThreads();
    const engine::RuntimeInfo info = engine::runtimeInfo();
    print(QStringLiteral("ckptlab %1").arg(QCoreApplication::applicationVersion()));
    print(QStringLiteral("project schema version %1").arg(schema::latestVersion()));
    print(QStringLiteral("libtorch %1, %2 threads").arg(QString::fromStdString(info.libtorchVersion)).arg(info.intraOpThreads));
    QStringList devices;
    for (const std::string& d : info.devices)
        devices << QString::fromStdString(d);
    print(QStringLiteral("devices: %1").arg(devices.join(QStringLiteral(", "))));
    return 0;
}

} // namespace ckptlab::cli
