#include "widgets/PlanDialog.h"

#include "jobs/GridValues.h"

#include "jobs/ProjectSession.h"
#include "jobs/RunQueue.h"
#include "models/RunText.h"
#include "widgets/CheckpointPicker.h"
#include "widgets/PlanEstimator.h"
#include "widgets/TaskSpecList.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>

namespace ckptlab {

namespace {

constexpr int kMaxWarningsShown = 6;
const char* const kRecentSpecsKey = "plan/recentSpecs";


QLineEdit* listEdit(const QString& name, const QString& value, const QString& toolTip)
{
    auto* edit = new QLineEdit(value);
    edit->setObjectName(name);
    edit->setToolTip(toolTip);
    return edit;
}

} // namespace

PlanDialog::PlanDialog(ProjectSession* session, const QVector<CheckpointInfo>& preselected, QWidget* parent)
    : QDialog(parent), m_session(session), m_checkpoints(new CheckpointPicker(session->snapshot().checkpoints)),
      m_tasks(new TaskSpecList), m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)),
      m_estimator(new PlanEstimator(session, this))
{
    setWindowTitle(tr("Plan fine-tuning"));
    setObjectName(QStringLiteral("planDialog"));
    resize(1100, 720);

    auto* checkpointBox = new QGroupBox(tr("1. Checkpoints to fine-tune"));
    auto* checkpointLayout = new QVBoxLayout(checkpointBox);
    checkpointLayout->addWidget(m_checkpoints);

    auto* taskBox = new QGroupBox(tr("2. Tasks"));
    auto* taskLayout = new QVBoxLayout(taskBox);
    taskLayout->addWidget(m_tasks);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(taskBox, 1);
    rightLayout->addWidget(buildHyperParameters());
    rightLayout->addWidget(buildEvaluation());

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(checkpointBox);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);

    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("queueButton"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &PlanDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &PlanDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter, 1);
    layout->addWidget(buildEstimate());
    layout->addWidget(m_buttons);

    addKnownTaskSpecs(session->path());
    if (preselected.isEmpty())
        m_checkpoints->checkRange({}, 0);
    else
        m_checkpoints->setChecked(preselected);

    connect(m_checkpoints, &CheckpointPicker::changed, this, &PlanDialog::inputsChanged);
    connect(m_tasks, &TaskSpecList::changed, this, &PlanDialog::inputsChanged);
    for (QLineEdit* edit : {m_epochs, m_learningRates, m_batchSizes, m_maxLengths, m_seeds, m_shots})
        connect(edit, &QLineEdit::textChanged, this, &PlanDialog::inputsChanged);
    connect(m_formats, &QComboBox::currentIndexChanged, this, &PlanDialog::inputsChanged);
    connect(m_device, &QComboBox::currentIndexChanged, this, &PlanDialog::inputsChanged);
    connect(m_evaluateBase, &QCheckBox::toggled, this, &PlanDialog::inputsChanged);
    connect(m_estimator, &PlanEstimator::estimated, this, &PlanDialog::showEstimate);
    connect(m_estimator, &PlanEstimator::failed, this, &PlanDialog::showProblem);
    connect(m_estimator, &PlanEstimator::busyChanged, this, [this](bool busy) {
        if (busy)
            m_estimate->setText(tr("<i>Estimating… (reading the task data and measuring this device)</i>"));
        updateOk();
    });
    inputsChanged();
}

QWidget* PlanDialog::buildHyperParameters()
{
    auto* box = new QGroupBox(tr("3. Fine-tuning hyper-parameters (comma-separated lists; every combination is one run)"));
    m_epochs = listEdit(QStringLiteral("planEpochs"), QStringLiteral("3"), tr("Epochs, e.g. 1, 3"));
    m_learningRates = listEdit(QStringLiteral("planLearningRates"), QStringLiteral("2e-6"), tr("Peak learning rates, e.g. 2e-6, 1e-5"));
    m_batchSizes = listEdit(QStringLiteral("planBatchSizes"), QStringLiteral("8"), tr("Effective batch sizes (sequences per optimizer step)"));
    m_maxLengths = listEdit(QStringLiteral("planMaxLengths"), QStringLiteral("2048"), tr("Maximum sequence lengths in tokens; longer examples are truncated"));
    m_seeds = listEdit(QStringLiteral("planSeeds"), QStringLiteral("42"), tr("Random seeds, e.g. 42, 43, 44"));
    auto* form = new QFormLayout(box);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Epochs")));
    row->addWidget(m_epochs);
    row->addWidget(new QLabel(tr("Learning rate")));
    row->addWidget(m_learningRates);
    row->addWidget(new QLabel(tr("Batch")));
    row->addWidget(m_batchSizes);
    form->addRow(row);
    auto* row2 = new QHBoxLayout;
    row2->addWidget(new QLabel(tr("Max length")));
    row2->addWidget(m_maxLengths);
    row2->addWidget(new QLabel(tr("Seeds")));
    row2->addWidget(m_seeds);
    form->addRow(row2);
    return box;
}

QWidget* PlanDialog::buildEvaluation()
{
    auto* box = new QGroupBox(tr("4. Evaluation of every model (the tasks checked under \"Evaluate on\")"));
    m_formats = new QComboBox;
    m_formats->setObjectName(QStringLiteral("planFormats"));
    m_formats->addItem(tr("each task's default prompt format"), false);
    m_formats->addItem(tr("every prompt format of each task"), true);
    m_shots = listEdit(QStringLiteral("planShots"), QStringLiteral("0"), tr("Numbers of demonstrations, e.g. 0, 4"));
    m_evaluateBase = new QCheckBox(tr("Also evaluate the base checkpoints (no fine-tuning), for the fine-tuning gain"));
    m_evaluateBase->setObjectName(QStringLiteral("planEvaluateBase"));
    m_evaluateBase->setChecked(true);
    m_device = new QComboBox;
    m_device->setObjectName(QStringLiteral("planDevice"));
    m_device->addItem(tr("any device"), QString());
    for (const QString& device : RunQueue::computeDevices())
        m_device->addItem(device, device);
    // Runs for the cluster carry the device "slurm": no executor of this machine takes them.
    m_device->addItem(tr("Slurm cluster (one job array)"), QStringLiteral("slurm"));
    auto* form = new QFormLayout(box);
    auto* row = new QHBoxLayout;
    row->addWidget(m_formats, 1);
    row->addWidget(new QLabel(tr("Shots")));
    row->addWidget(m_shots);
    form->addRow(tr("Prompt formats"), row);
    form->addRow(m_evaluateBase);
    form->addRow(tr("Run on"), m_device);
    return box;
}

QWidget* PlanDialog::buildEstimate()
{
    auto* box = new QGroupBox(tr("What this plan costs"));
    m_estimate = new QLabel;
    m_estimate->setObjectName(QStringLiteral("planEstimate"));
    m_estimate->setWordWrap(true);
    m_estimate->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings = new QLabel;
    m_warnings->setObjectName(QStringLiteral("planWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setStyleSheet(QStringLiteral("QLabel { color: #b00020; }"));
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(m_estimate);
    layout->addWidget(m_warnings);
    return box;
}

void PlanDialog::addKnownTaskSpecs(const QString& projectPath)
{
    // The demo study's tasks, when this project has them.
    const QFileInfo file(projectPath);
    const QDir demoTasks(file.absoluteDir().filePath(file.completeBaseName() + QStringLiteral(".demo/tasks")));
    for (const QString& name : demoTasks.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        m_tasks->addSpec(demoTasks.filePath(name), true, true);
    for (const QString& path : QSettings().value(QLatin1String(kRecentSpecsKey)).toStringList())
        if (QFileInfo::exists(path))
            m_tasks->addSpec(path, false, false);
}

Outcome<RunPlanRequest> PlanDialog::request() const
{
    using Out = Outcome<RunPlanRequest>;
    RunPlanRequest r;
    r.name = tr("plan of %1").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd hh:mm")));
    r.checkpoints = m_checkpoints->checkedCheckpoints();
    if (r.checkpoints.isEmpty())
        return Out::failure(m_checkpoints->offeredCount() == 0
                                ? tr("The project has no scanned checkpoints: add checkpoint folders first (File › Add checkpoints).")
                                : tr("Check at least one checkpoint."));
    r.grid.taskSpecs = m_tasks->fineTuneSpecs();
    if (r.grid.taskSpecs.isEmpty() && m_tasks->evaluationSpecs().isEmpty())
        return Out::failure(tr("Check a task to fine-tune on (and tasks to evaluate on), or add a task spec."));
    const auto epochs = parseGridInts(GridSetting::Epochs, m_epochs->text());
    const auto learningRates = parseGridDoubles(GridSetting::LearningRate, m_learningRates->text());
    const auto batchSizes = parseGridInts(GridSetting::BatchSize, m_batchSizes->text());
    const auto maxLengths = parseGridInts(GridSetting::MaxLength, m_maxLengths->text());
    const auto seeds = parseGridInts(GridSetting::Seed, m_seeds->text());
    const auto shots = parseGridInts(GridSetting::Shots, m_shots->text());
    for (const QString& error : {epochs.error(), learningRates.error(), batchSizes.error(), maxLengths.error(), seeds.error(), shots.error()})
        if (!error.isEmpty())
            return Out::failure(error);
    r.grid.epochs = epochs.value();
    r.grid.learningRates = learningRates.value();
    r.grid.batchSizes = batchSizes.value();
    r.grid.maxLengths = maxLengths.value();
    r.grid.seeds = seeds.value();
    const bool allFormats = m_formats->currentData().toBool();
    for (const QString& spec : m_tasks->evaluationSpecs())
        r.evaluations << EvalSuiteRequest{spec, allFormats ? QStringList{QStringLiteral("*")} : QStringList{}, shots.value(), 0};
    r.evaluateBase = m_evaluateBase->isChecked();
    r.device = m_device->currentData().toString();
    return r;
}

void PlanDialog::inputsChanged()
{
    if (m_queuing)
        return;
    const auto r = request();
    if (!r) {
        m_estimator->cancel();
        showProblem(r.error());
        return;
    }
    m_warnings->clear();
    m_estimator->request(r.value());
    updateOk();
}

void PlanDialog::showEstimate(const PlanEstimate& e)
{
    int fineTunes = 0, evaluations = 0;
    double longest = -1.0;
    for (const PlannedRun& run : e.runs) {
        if (run.skipped)
            continue;
        (run.spec.fineTune ? fineTunes : evaluations)++;
        longest = std::max(longest, run.seconds);
    }
    QStringList lines;
    QString runs = tr("<b>%n new run(s)</b>", nullptr, e.newRuns);
    if (e.newRuns > 0)
        runs += tr(" (%1 fine-tuning, %2 base-model evaluation)").arg(fineTunes).arg(evaluations);
    if (e.skippedRuns > 0)
        runs += tr(" · %n skipped: already planned or done", nullptr, e.skippedRuns);
    lines << runs;
    if (fineTunes > 0) {
        QString training = tr("Training: %1 tokens").arg(humanCount(e.trainTokens));
        if (e.seconds > 0)
            training += tr(", about %1 in all (%2)").arg(humanDuration(e.seconds), e.speedSource);
        lines << training;
        QString perRun = tr("Each fine-tuning run: ");
        perRun += longest >= 1 ? tr("up to about %1 of training").arg(humanDuration(longest))
                  : longest >= 0 ? tr("under a second of training") : tr("time unknown");
        if (e.peakBytes > 0)
            perRun += tr(", peak memory up to %1").arg(humanBytes(e.peakBytes));
        if (e.deviceBytes > 0)
            perRun += tr(" of the device's %1").arg(humanBytes(e.deviceBytes));
        lines << perRun;
    }
    if (e.newRuns == 0 && e.skippedRuns > 0)
        lines << tr("Nothing new to queue: every run of this plan is already planned or done.");
    m_estimate->setText(lines.join(QStringLiteral("<br>")));
    QStringList warnings;
    for (int i = 0; i < e.warnings.size() && i < kMaxWarningsShown; ++i)
        warnings << QStringLiteral("⚠ ") + e.warnings[i].toHtmlEscaped();
    if (e.warnings.size() > kMaxWarningsShown)
        warnings << tr("… and %n more warning(s)", nullptr, int(e.warnings.size()) - kMaxWarningsShown);
    m_warnings->setText(warnings.join(QStringLiteral("<br>")));
    m_warnings->setToolTip(e.warnings.join(QLatin1Char('\n')));
    updateOk();
}

void PlanDialog::showProblem(const QString& message)
{
    m_estimate->setText(tr("<i>No estimate yet.</i>"));
    m_warnings->setText(QStringLiteral("⚠ ") + message.toHtmlEscaped());
    updateOk();
}

bool PlanDialog::canQueue() const
{
    return !m_queuing && !m_estimator->isBusy() && m_estimator->estimate() && m_estimator->estimate()->newRuns > 0;
}

QString PlanDialog::estimateText() const
{
    return m_estimate->text();
}

QString PlanDialog::warningText() const
{
    return m_warnings->text();
}

void PlanDialog::updateOk()
{
    QPushButton* ok = m_buttons->button(QDialogButtonBox::Ok);
    ok->setEnabled(canQueue());
    const int runs = m_estimator->estimate() && !m_estimator->isBusy() ? m_estimator->estimate()->newRuns : 0;
    ok->setText(m_queuing ? tr("Queuing…") : runs > 0 ? tr("Queue %n run(s)", nullptr, runs) : tr("Queue"));
}

void PlanDialog::accept()
{
    if (!canQueue())
        return;
    m_queuing = true;
    for (QWidget* w : findChildren<QGroupBox*>())
        w->setEnabled(false);
    updateOk();
    QSettings settings;
    QStringList recent = settings.value(QLatin1String(kRecentSpecsKey)).toStringList();
    for (const QString& spec : m_tasks->specs())
        if (!recent.contains(spec) && !spec.contains(QStringLiteral(".demo/tasks/")))
            recent.prepend(spec);
    settings.setValue(QLatin1String(kRecentSpecsKey), recent.mid(0, 20));

    if (!m_session) {
        onQueued(Outcome<int>::failure(tr("The project is closed.")));
        return;
    }
    m_session->queuePlan(m_estimator->estimatedRequest(), *m_estimator->estimate(), this,
                         [this](Outcome<int> queued) { onQueued(queued); });
}

void PlanDialog::onQueued(const Outcome<int>& queued)
{
    m_queuing = false;
    if (!queued) {
        for (QWidget* w : findChildren<QGroupBox*>())
            w->setEnabled(true);
        showProblem(tr("The plan was not queued: %1").arg(queued.error()));
        return;
    }
    m_queuedRuns = queued.value();
    emit planQueued(m_queuedRuns, m_device->currentData().toString() == QLatin1String("slurm"));
    QDialog::accept();
}

} // namespace ckptlab
