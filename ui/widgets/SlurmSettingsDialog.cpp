#include "widgets/SlurmSettingsDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>

namespace ckptlab {

namespace {

QSpinBox* countBox(int value, const QString& zeroText)
{
    auto* box = new QSpinBox;
    box->setRange(0, 4096);
    box->setSpecialValueText(zeroText);
    box->setValue(value);
    return box;
}

} // namespace

SlurmSettingsDialog::SlurmSettingsDialog(const SlurmSettings& s, QWidget* parent)
    : QDialog(parent), m_partition(new QLineEdit(s.partition)), m_account(new QLineEdit(s.account)),
      m_qos(new QLineEdit(s.qos)), m_time(new QLineEdit(s.time)), m_gpus(countBox(s.gpusPerRun, tr("none"))),
      m_cpus(countBox(s.cpusPerRun, tr("Slurm's default"))), m_mem(new QLineEdit(s.mem)),
      m_maxParallel(countBox(s.maxParallel, tr("no limit"))), m_setup(new QPlainTextEdit(s.setup)),
      m_sbatchArgs(new QLineEdit(s.sbatchArgs.join(QLatin1Char(' ')))), m_cli(s.cli)
{
    setWindowTitle(tr("Slurm settings"));
    setObjectName(QStringLiteral("slurmSettingsDialog"));
    m_partition->setPlaceholderText(tr("the cluster's default"));
    m_time->setPlaceholderText(tr("HH:MM:SS, the partition's default when empty"));
    m_mem->setPlaceholderText(tr("e.g. 64G; Slurm's default when empty"));
    m_setup->setPlaceholderText(tr("shell lines before the worker, e.g. module load cuda/12.4"));
    m_setup->setMaximumHeight(80);
    m_sbatchArgs->setPlaceholderText(tr("more sbatch arguments, e.g. --constraint=a100"));
    auto* form = new QFormLayout(this);
    form->addRow(tr("&Partition"), m_partition);
    form->addRow(tr("&Account"), m_account);
    form->addRow(tr("&QOS"), m_qos);
    form->addRow(tr("&Time per run"), m_time);
    form->addRow(tr("&GPUs per run"), m_gpus);
    form->addRow(tr("&CPUs per run"), m_cpus);
    form->addRow(tr("&Memory per run"), m_mem);
    form->addRow(tr("At most &K at once"), m_maxParallel);
    form->addRow(tr("&Setup"), m_setup);
    form->addRow(tr("sbatch &arguments"), m_sbatchArgs);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    resize(520, sizeHint().height());
}

SlurmSettings SlurmSettingsDialog::settings() const
{
    SlurmSettings s;
    s.partition = m_partition->text().trimmed();
    s.account = m_account->text().trimmed();
    s.qos = m_qos->text().trimmed();
    s.time = m_time->text().trimmed();
    s.gpusPerRun = m_gpus->value();
    s.cpusPerRun = m_cpus->value();
    s.mem = m_mem->text().trimmed();
    s.maxParallel = m_maxParallel->value();
    s.setup = m_setup->toPlainText().trimmed();
    s.sbatchArgs = m_sbatchArgs->text().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    s.cli = m_cli;
    return s;
}

} // namespace ckptlab
