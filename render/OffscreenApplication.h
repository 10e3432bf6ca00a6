#pragma once

// The application object for drawing figures without a window (ckptlab-cli plot): QCustomPlot
// draws through widgets, which need a QApplication, which needs a platform plugin. Unless the
// caller chose one (QT_QPA_PLATFORM), the offscreen plugin is used, so no display is needed.

#include <QApplication>

#include <memory>

namespace ckptlab {

std::unique_ptr<QApplication> makeOffscreenApplication(int& argc, char** argv);

} // namespace ckptlab
