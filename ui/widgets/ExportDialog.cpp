#include "widgets/ExportDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>

namespace ckptlab {

ExportDialog::ExportDialog(const QString& suggestedPath, const QString& styleName, QWidget* parent)
    : QDialog(parent), m_path(new QLineEdit(suggestedPath, this)), m_width(new QSpinBox(this)),
      m_height(new QSpinBox(this)), m_dpi(new QSpinBox(this)), m_style(new QComboBox(this)),
      m_withData(new QCheckBox(tr("Also write the plotted points as CSV (same name, .csv)"), this))
{
    setWindowTitle(tr("Export figure"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getSaveFileName(this, tr("Export figure"), m_path->text(),
                                                            tr("PDF (vector) (*.pdf);;SVG (vector) (*.svg);;PNG image (*.png)"));
        if (!chosen.isEmpty())
            m_path->setText(chosen);
    });
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);

    m_width->setRange(100, 10000);
    m_width->setValue(800);
    m_width->setSuffix(tr(" px"));
    m_height->setRange(100, 10000);
    m_height->setValue(500);
    m_height->setSuffix(tr(" px"));
    m_dpi->setRange(50, 1200);
    m_dpi->setValue(300);
    m_style->addItem(tr("Paper (serif, colour-blind safe)"), QStringLiteral("paper"));
    m_style->addItem(tr("Screen"), QStringLiteral("screen"));
    m_style->setCurrentIndex(std::max(0, m_style->findData(styleName)));

    auto* form = new QFormLayout(this);
    form->addRow(tr("File"), pathRow);
    form->addRow(tr("Width"), m_width);
    form->addRow(tr("Height"), m_height);
    form->addRow(tr("DPI (PNG)"), m_dpi);
    form->addRow(tr("Style"), m_style);
    form->addRow(QString(), m_withData);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
    form->addRow(buttons);
}

QString ExportDialog::path() const
{
    return m_path->text().trimmed();
}

QString ExportDialog::dataPath() const
{
    if (!m_withData->isChecked())
        return {};
    const QFileInfo info(path());
    return info.dir().filePath(info.completeBaseName() + QStringLiteral(".csv"));
}

QString ExportDialog::styleName() const
{
    return m_style->currentData().toString();
}

ExportOptions ExportDialog::options() const
{
    return {m_width->value(), m_height->value(), m_dpi->value()};
}

void ExportDialog::accept()
{
    const QString suffix = QFileInfo(path()).suffix().toLower();
    if (!figureFileSuffixes().contains(suffix)) {
        QMessageBox::warning(this, windowTitle(), tr("Name the file .pdf, .svg or .png."));
        return;
    }
    QDialog::accept();
}

} // namespace ckptlab
