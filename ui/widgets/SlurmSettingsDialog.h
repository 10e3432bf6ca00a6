#pragma once

// The Slurm options of a project's submissions (jobs/SlurmCluster.h): partition, account, QOS,
// time limit, resources per run, parallelism, setup lines, extra sbatch arguments.

#include "jobs/SlurmCluster.h"

#include <QDialog>

class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace ckptlab {

class SlurmSettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SlurmSettingsDialog(const SlurmSettings& settings, QWidget* parent = nullptr);
    SlurmSettings settings() const;

private:
    QLineEdit* m_partition;
    QLineEdit* m_account;
    QLineEdit* m_qos;
    QLineEdit* m_time;
    QSpinBox* m_gpus;
    QSpinBox* m_cpus;
    QLineEdit* m_mem;
    QSpinBox* m_maxParallel;
    QPlainTextEdit* m_setup;
    QLineEdit* m_sbatchArgs;
    QString m_cli;
};

} // namespace ckptlab
