#include "widgets/EvaluateDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace ckptlab {

EvaluateDialog::EvaluateDialog(int checkpointCount, QWidget* parent)
    : QDialog(parent), m_spec(new QLineEdit(this)), m_formats(new QLineEdit(this)), m_shots(new QLineEdit(this)),
      m_limit(new QSpinBox(this)), m_device(new QComboBox(this)), m_dtype(new QComboBox(this))
{
    setWindowTitle(tr("Evaluate checkpoints"));
    setObjectName(QStringLiteral("evaluateDialog"));
    setMinimumWidth(560);
    m_spec->setObjectName(QStringLiteral("taskSpec"));
    m_formats->setObjectName(QStringLiteral("formats"));
    m_shots->setObjectName(QStringLiteral("shots"));
    QSettings settings;
    m_spec->setText(settings.value(QStringLiteral("evaluate/spec")).toString());
    m_spec->setPlaceholderText(tr("task spec JSON (name, kind, formats, data files)"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Task spec"), m_spec->text(), tr("Task spec (*.json)"));
        if (!file.isEmpty())
            m_spec->setText(file);
    });
    auto* specRow = new QHBoxLayout;
    specRow->addWidget(m_spec, 1);
    specRow->addWidget(browse);
    m_formats->setText(settings.value(QStringLiteral("evaluate/formats"), QStringLiteral("default")).toString());
    m_formats->setToolTip(tr("Comma-separated prompt formats of the task, e.g. default,instruct,inputoutput"));
    m_shots->setText(settings.value(QStringLiteral("evaluate/shots"), QStringLiteral("0")).toString());
    m_shots->setToolTip(tr("Comma-separated numbers of demonstrations, e.g. 0,4"));
    m_limit->setRange(0, 10'000'000);
    m_limit->setSpecialValueText(tr("all items"));
    m_device->addItems({QStringLiteral("cpu"), QStringLiteral("cuda:0")});
    m_dtype->addItems({QStringLiteral("fp32"), QStringLiteral("bf16"), QStringLiteral("fp16")});

    auto* form = new QFormLayout(this);
    form->addRow(new QLabel(tr("%n checkpoint(s) selected.", nullptr, checkpointCount), this));
    form->addRow(tr("Task"), specRow);
    form->addRow(tr("Prompt formats"), m_formats);
    form->addRow(tr("Shots"), m_shots);
    form->addRow(tr("Limit"), m_limit);
    form->addRow(tr("Device"), m_device);
    form->addRow(tr("Precision"), m_dtype);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Evaluate"));
    connect(buttons, &QDialogButtonBox::accepted, this, &EvaluateDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &EvaluateDialog::reject);
    form->addRow(buttons);
}

EvaluationPlan EvaluateDialog::plan() const
{
    EvaluationPlan plan;
    plan.taskSpecPath = m_spec->text().trimmed();
    plan.formats = m_formats->text().split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (QString& f : plan.formats)
        f = f.trimmed();
    plan.shots.clear();
    for (const QString& part : m_shots->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        plan.shots << part.trimmed().toInt();
    plan.limit = m_limit->value();
    plan.device = m_device->currentText();
    plan.dtype = m_dtype->currentText();
    return plan;
}

void EvaluateDialog::accept()
{
    if (!QFileInfo(m_spec->text().trimmed()).isFile()) {
        QMessageBox::warning(this, windowTitle(), tr("Choose a task spec file."));
        return;
    }
    for (const QString& part : m_shots->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        if (part.trimmed().toInt(&ok) < 0 || !ok) {
            QMessageBox::warning(this, windowTitle(), tr("Shots are whole numbers >= 0, separated by commas."));
            return;
        }
    }
    QSettings settings;
    settings.setValue(QStringLiteral("evaluate/spec"), m_spec->text().trimmed());
    settings.setValue(QStringLiteral("evaluate/formats"), m_formats->text());
    settings.setValue(QStringLiteral("evaluate/shots"), m_shots->text());
    QDialog::accept();
}

} // namespace ckptlab
