#include "render/OffscreenApplication.h"

namespace ckptlab {

std::unique_ptr<QApplication> makeOffscreenApplication(int& argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    return std::make_unique<QApplication>(argc, argv);
}

} // namespace ckptlab
