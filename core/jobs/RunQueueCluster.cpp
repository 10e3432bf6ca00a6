// RunQueue's cluster half: submitting the queue to Slurm, tracking and collecting its runs.

#include "jobs/RunQueue.h"

#include "project/RunStore.h"

namespace ckptlab {

namespace {
const QString kSubmitJob = QStringLiteral("cluster-submit");
const QString kTrackJob = QStringLiteral("cluster-track");
const QString kSettingsJob = QStringLiteral("cluster-settings");
constexpr int kTrackIntervalMs = 5000;
} // namespace

bool RunQueue::hasClusterRuns() const
{
    for (const RunRecord& r : m_runs)
        if (!slurmTaskOf(r).isEmpty())
            return true;
    return false;
}

void RunQueue::setUpCluster()
{
    m_clusterTimer.setInterval(kTrackIntervalMs);
    connect(&m_clusterTimer, &QTimer::timeout, this, &RunQueue::trackCluster);
    // Poll only while something is on the cluster.
    connect(this, &RunQueue::runsChanged, this, [this] {
        if (hasClusterRuns() && !m_clusterTimer.isActive())
            m_clusterTimer.start();
        else if (!hasClusterRuns())
            m_clusterTimer.stop();
    });
}

void RunQueue::stopClusterJobs()
{
    m_clusterTimer.stop();
    for (const QString& job : {kSubmitJob, kTrackJob, kSettingsJob})
        m_jobs.waitFor(job);
}

void RunQueue::loadClusterSettings()
{
    m_clusterSettings = SlurmSettings{};
    if (!m_project)
        return;
    const Project project = *m_project;
    m_jobs.start<Outcome<SlurmSettings>>(kSettingsJob, [project](JobContext&) { return loadSlurmSettings(project); },
                                         [this](Outcome<SlurmSettings> loaded) {
                                             if (loaded)
                                                 m_clusterSettings = loaded.value();
                                             else
                                                 emit errorOccurred(loaded.error());
                                         });
}

void RunQueue::setClusterSettings(const SlurmSettings& settings)
{
    m_clusterSettings = settings;
    if (!m_project)
        return;
    const Project project = *m_project;
    m_jobs.start<Status>(kSettingsJob, [project, settings](JobContext&) { return saveSlurmSettings(project, settings); },
                         [this](Status saved) {
                             if (!saved)
                                 emit errorOccurred(saved.error());
                         });
}

void RunQueue::submitToCluster()
{
    if (!m_project || m_jobs.isRunning(kSubmitJob))
        return;
    const Project project = *m_project;
    const SlurmSettings settings = m_clusterSettings;
    m_jobs.start<Outcome<SlurmSubmission>>(kSubmitJob, [project, settings](JobContext&) {
        if (Status s = saveSlurmSettings(project, settings); !s)
            return Outcome<SlurmSubmission>::failure(s.error());
        return submitQueuedRuns(project, settings);
    }, [this](Outcome<SlurmSubmission> submitted) {
        if (!submitted)
            emit errorOccurred(submitted.error());
        else
            emit clusterMessage(tr("Submitted %n run(s) to Slurm as job array %1.", nullptr, int(submitted->runs.size()))
                                    .arg(submitted->jobId));
        refresh();
    });
}

void RunQueue::trackCluster()
{
    if (!m_project || m_jobs.isRunning(kTrackJob))
        return;
    const Project project = *m_project;
    m_jobs.start<Outcome<SlurmTrackReport>>(kTrackJob, [project](JobContext&) { return trackSlurmRuns(project); },
                                            [this](Outcome<SlurmTrackReport> tracked) {
        if (!tracked) {
            emit errorOccurred(tracked.error());
            return;
        }
        for (const QString& line : tracked->messages)
            emit clusterMessage(line);
        if (tracked->collected > 0)
            emit resultsWritten();
        refresh();
    });
}

} // namespace ckptlab
