#include "jobs/DemoStudyJob.h"

#include "engine/demo/DemoStudy.h"
#include "jobs/CheckpointScanner.h"
#include "project/SnapshotLoader.h"

#include <QDir>
#include <QFileInfo>

namespace ckptlab {

Outcome<DemoStudyPrepared> prepareDemoStudy(const Project& project,
                                           const std::function<void(const DemoStudyProgress&)>& progress,
                                           const std::atomic<bool>* cancel)
{
    using Out = Outcome<DemoStudyPrepared>;
    const QFileInfo file(project.path());
    DemoStudyPrepared prepared;
    prepared.dataFolder = file.absoluteDir().filePath(file.completeBaseName() + QStringLiteral(".demo"));

    engine::DemoStudyLayout layout;
    try {
        layout = engine::writeDemoStudy(prepared.dataFolder.toStdString(), engine::DemoStudyOptions{},
                                        [&](const engine::DemoProgress& p) {
                                            if (!progress)
                                                return;
                                            DemoStudyProgress out;
                                            out.phase = QString::fromStdString(p.phase);
                                            out.fraction = p.totalSteps > 0 ? double(p.step) / p.totalSteps : 0.0;
                                            out.detail = p.phase == "pretraining"
                                                             ? QStringLiteral("pre-training step %1/%2 · loss %3")
                                                                   .arg(p.step)
                                                                   .arg(p.totalSteps)
                                                                   .arg(p.loss, 0, 'f', 3)
                                                             : QStringLiteral("writing the %1").arg(out.phase);
                                            progress(out);
                                        },
                                        cancel);
    } catch (const std::exception& e) {
        return Out::failure(QStringLiteral("The demo study could not be prepared: %1").arg(QString::fromStdString(e.what())));
    }
    if (progress)
        progress({QStringLiteral("planning"), QStringLiteral("recording checkpoints and planning runs"), 1.0});

    const CheckpointScan scan = scanCheckpointFolders({QString::fromStdString(layout.seriesDir)});
    const auto recorded = recordCheckpointScan(project, scan);
    if (!recorded)
        return Out::failure(recorded.error());
    prepared.checkpoints = int(layout.checkpointDirs.size());
    prepared.tasks = int(layout.taskSpecs.size());

    const auto snapshot = loadSnapshot(project);
    if (!snapshot)
        return Out::failure(snapshot.error());
    RunPlanRequest request;
    request.name = QStringLiteral("demo study");
    for (const std::string& dir : layout.checkpointDirs) {
        const QString path = QDir::cleanPath(QString::fromStdString(dir));
        for (const CheckpointInfo& c : snapshot->checkpoints)
            if (QDir::cleanPath(c.path) == path)
                request.checkpoints << c;
    }
    if (request.checkpoints.size() != int(layout.checkpointDirs.size()))
        return Out::failure(QStringLiteral("%1: only %2 of the %3 demo checkpoints were recorded (%4)")
                                .arg(QString::fromStdString(layout.seriesDir))
                                .arg(request.checkpoints.size())
                                .arg(layout.checkpointDirs.size())
                                .arg(recorded->summary()));
    const engine::TrainConfig& ft = layout.fineTune;
    request.grid.epochs = {ft.epochs};
    request.grid.learningRates = {ft.learningRate};
    request.grid.batchSizes = {ft.effectiveBatch};
    request.grid.maxLengths = {int(ft.maxLength)};
    request.grid.seeds = {int(ft.seed)};
    request.grid.warmupRatio = ft.warmupRatio;
    request.grid.weightDecay = ft.weightDecay;
    request.grid.saveWeights = false; // thousands of tiny models are not worth keeping
    for (const std::string& spec : layout.taskSpecs) {
        request.grid.taskSpecs << QString::fromStdString(spec);
        request.evaluations << EvalSuiteRequest{QString::fromStdString(spec), {QStringLiteral("*")}, {0}, 0};
    }
    request.device = QStringLiteral("cpu");
    const auto estimate = estimatePlan(project, request, cancel);
    if (!estimate)
        return Out::failure(estimate.error());
    const auto queued = queuePlan(project, request, estimate.value());
    if (!queued)
        return Out::failure(queued.error());
    prepared.queuedRuns = queued.value();
    prepared.estimate = estimate.value();
    return prepared;
}

} // namespace ckptlab
