#pragma once

#include "render/FigureExporter.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace ckptlab {

// Where and how to write the current chart: file (PNG, PDF, SVG), size, DPI, style, and
// optionally the plotted points as CSV next to it.
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExportDialog(const QString& suggestedPath, const QString& styleName, QWidget* parent = nullptr);

    QString path() const;
    QString dataPath() const;   // empty unless "also write the points" is on
    QString styleName() const;
    ExportOptions options() const;

    void accept() override;

private:
    QLineEdit* m_path;
    QSpinBox* m_width;
    QSpinBox* m_height;
    QSpinBox* m_dpi;
    QComboBox* m_style;
    QCheckBox* m_withData;
};

} // namespace ckptlab
