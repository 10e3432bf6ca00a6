#pragma once

#include "jobs/RunPlanner.h"
#include "project/ProjectTypes.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace ckptlab {

class CheckpointPicker;
class PlanEstimator;
class ProjectSession;
class TaskSpecList;

// Plans fine-tuning runs: checkpoints × fine-tuning tasks × hyper-parameter lists, each model
// then evaluated on a suite (tasks × prompt formats × shots), base checkpoints optionally too.
// What the plan costs (runs, training tokens, time, peak memory, what will not fit) is
// re-estimated in the background (a job of the session) whenever an input changes. Accepting
// queues the new runs, in the background too.
class PlanDialog : public QDialog {
    Q_OBJECT
public:
    // The checkpoints offered are those of the session's snapshot.
    PlanDialog(ProjectSession* session, const QVector<CheckpointInfo>& preselected, QWidget* parent = nullptr);

    CheckpointPicker* checkpoints() const { return m_checkpoints; }
    TaskSpecList* tasks() const { return m_tasks; }
    PlanEstimator* estimator() const { return m_estimator; }
    // The plan the inputs describe, or what is wrong with them.
    Outcome<RunPlanRequest> request() const;
    QString estimateText() const;
    QString warningText() const;
    bool canQueue() const;
    int queuedRuns() const { return m_queuedRuns; }

    // Queues the estimated plan in the background and closes once it is saved.
    void accept() override;

signals:
    void planQueued(int runs, bool onCluster);   // onCluster: submit them to Slurm

private:
    QWidget* buildHyperParameters();
    QWidget* buildEvaluation();
    QWidget* buildEstimate();
    void addKnownTaskSpecs(const QString& projectPath);
    void inputsChanged();
    void showEstimate(const PlanEstimate& estimate);
    void showProblem(const QString& message);
    void updateOk();
    void onQueued(const Outcome<int>& queued);

    QPointer<ProjectSession> m_session;
    CheckpointPicker* m_checkpoints;
    TaskSpecList* m_tasks;
    QLineEdit* m_epochs;
    QLineEdit* m_learningRates;
    QLineEdit* m_batchSizes;
    QLineEdit* m_maxLengths;
    QLineEdit* m_seeds;
    QComboBox* m_formats;
    QLineEdit* m_shots;
    QCheckBox* m_evaluateBase;
    QComboBox* m_device;
    QLabel* m_estimate;
    QLabel* m_warnings;
    QDialogButtonBox* m_buttons;
    PlanEstimator* m_estimator;
    bool m_queuing = false;
    int m_queuedRuns = 0;
};

} // namespace ckptlab
