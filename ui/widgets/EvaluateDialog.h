#pragma once

#include "jobs/EvaluationJob.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace ckptlab {

// Evaluate the selected checkpoints on a task: task spec, prompt formats, shots, item limit,
// device and dtype. Fills an EvaluationPlan (the checkpoints are the caller's).
class EvaluateDialog : public QDialog {
    Q_OBJECT
public:
    explicit EvaluateDialog(int checkpointCount, QWidget* parent = nullptr);
    EvaluationPlan plan() const;
    void accept() override;

private:
    QLineEdit* m_spec;
    QLineEdit* m_formats;
    QLineEdit* m_shots;
    QSpinBox* m_limit;
    QComboBox* m_device;
    QComboBox* m_dtype;
};

} // namespace ckptlab
