// JobTracker's contract: results on the owner's thread; a newer job of a kind cancels the older
// and only the newer result arrives; progress in order, dropped once a newer job started;
// cancel reaches the work; the destructor waits for running work; the thread's database
// connections are closed when a job ends.

#include "jobs/JobTracker.h"
#include "project/Project.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <stdexcept>

using namespace ckptlab;

namespace {

// Polls `done` for up to `ms` milliseconds from a worker (which must not spin the event loop).
template <typename F>
bool waitUntil(F done, int ms = 10000)
{
    for (int waited = 0; waited < ms; waited += 2) {
        if (done())
            return true;
        QThread::msleep(2);
    }
    return done();
}

} // namespace

class TestJobTracker : public QObject {
    Q_OBJECT

private slots:
    void resultArrivesOnTheOwnerThread()
    {
        JobTracker jobs;
        QThread* workThread = nullptr;
        QThread* resultThread = nullptr;
        int result = 0;
        const JobId id = jobs.start<int>(QStringLiteral("answer"), [&](JobContext&) {
            workThread = QThread::currentThread();
            return 42;
        }, [&](int value) {
            resultThread = QThread::currentThread();
            result = value;
        });
        QVERIFY(id > 0);
        QVERIFY(jobs.isRunning(QStringLiteral("answer")));
        QVERIFY(jobs.isBusy());
        QTRY_COMPARE(result, 42);
        QVERIFY(workThread && workThread != QThread::currentThread());
        QCOMPARE(resultThread, QThread::currentThread());
        QVERIFY(!jobs.isRunning(QStringLiteral("answer")));
        QVERIFY(!jobs.isBusy());
    }

    void newerJobOfAKindReplacesTheOlder()
    {
        JobTracker jobs;
        std::atomic<bool> olderSawCancel{false};
        std::atomic<bool> releaseOlder{false};
        QVector<int> results;
        jobs.start<int>(QStringLiteral("estimate"), [&](JobContext& job) {
            waitUntil([&] { return releaseOlder.load(); });
            olderSawCancel = job.cancelled();
            return 1;
        }, [&](int value) { results << value; });
        int other = 0;
        jobs.start<int>(QStringLiteral("other"), [](JobContext&) { return 7; }, [&](int value) { other = value; });
        jobs.start<int>(QStringLiteral("estimate"), [](JobContext&) { return 2; }, [&](int value) { results << value; });
        releaseOlder = true;
        jobs.waitForIdle();
        QVERIFY(olderSawCancel.load());
        QCOMPARE(results, QVector<int>{2});
        QCOMPARE(other, 7); // another kind is left alone
    }

    void progressInOrderAndDroppedAfterANewerJob()
    {
        JobTracker jobs;
        QVector<int> seen;
        std::atomic<bool> newerStarted{false};
        std::atomic<int> sentAfterNewer{0};
        jobs.start<int, int>(QStringLiteral("count"), [&](JobContext&, const std::function<void(const int&)>& progress) {
            for (int i = 0; i < 100; ++i)
                progress(i);
            waitUntil([&] { return newerStarted.load(); });
            for (int i = 100; i < 110; ++i, ++sentAfterNewer)
                progress(i);
            return 0;
        }, {}, [&](int p) { seen << p; });
        QTRY_COMPARE(seen.size(), 100);
        for (int i = 0; i < seen.size(); ++i)
            QCOMPARE(seen[i], i);

        QVector<int> newer;
        jobs.start<int, int>(QStringLiteral("count"), [&](JobContext&, const std::function<void(const int&)>& progress) {
            newerStarted = true;
            waitUntil([&] { return sentAfterNewer.load() == 10; });
            progress(-1);
            return 0;
        }, {}, [&](int p) { newer << p; });
        jobs.waitForIdle();
        QCOMPARE(seen.size(), 100); // nothing of the older job after the newer one started
        QCOMPARE(newer, QVector<int>{-1});
    }

    void cancelReachesTheWork()
    {
        JobTracker jobs;
        bool result = false;
        std::atomic<bool> started{false};
        jobs.start<bool>(QStringLiteral("long"), [&](JobContext& job) {
            started = true;
            // The flag the engine and the executor take is the same one.
            return waitUntil([&] { return job.cancelled() && job.cancelFlag()->load(); }, 20000);
        }, [&](bool sawCancel) { result = sawCancel; });
        QTRY_VERIFY(started.load());
        jobs.cancel(QStringLiteral("long"));
        jobs.waitForIdle();
        QVERIFY(result); // a cancelled job's result is still delivered

        // cancelAll too.
        bool all = false;
        jobs.start<bool>(QStringLiteral("a"), [](JobContext& job) { return waitUntil([&] { return job.cancelled(); }); },
                         [&](bool r) { all = r; });
        jobs.cancelAll();
        jobs.waitFor(QStringLiteral("a"));
        QVERIFY(all);
    }

    void destructorWaitsForRunningWork()
    {
        std::atomic<bool> ended{false};
        std::atomic<bool> started{false};
        bool delivered = false;
        {
            JobTracker jobs;
            jobs.start<int>(QStringLiteral("slow"), [&](JobContext& job) {
                started = true;
                QThread::msleep(200);
                ended = true;
                return job.cancelled() ? 1 : 0;
            }, [&](int) { delivered = true; });
            QTRY_VERIFY(started.load());
        }
        QVERIFY(ended.load());
        QVERIFY(!delivered); // what it owed died with the tracker
        QCoreApplication::processEvents();
        QVERIFY(!delivered);
    }

    void threadConnectionsAreClosed()
    {
        QTemporaryDir dir;
        const auto project = Project::open(dir.filePath(QStringLiteral("t.ckptlab")));
        QVERIFY2(project, qPrintable(project.error()));
        project->closeThreadConnection();
        const QStringList before = QSqlDatabase::connectionNames();
        JobTracker jobs;
        QString opened;
        QStringList atResult;
        jobs.start<QString>(QStringLiteral("query"), [p = project.value()](JobContext&) {
            QSqlQuery q(p.database());
            q.exec(QStringLiteral("SELECT 1"));
            return p.database().connectionName();
        }, [&](QString name) {
            opened = name;
            atResult = QSqlDatabase::connectionNames();
        });
        jobs.waitForIdle();
        QVERIFY(!opened.isEmpty());
        QVERIFY2(!atResult.contains(opened), qPrintable(atResult.join(QLatin1Char(' '))));
        QCOMPARE(QSqlDatabase::connectionNames(), before);
    }

    void throwingWorkEndsTheJob()
    {
        JobTracker jobs;
        bool delivered = false;
        jobs.start<int>(QStringLiteral("bad"), [](JobContext&) -> int { throw std::runtime_error("boom"); },
                        [&](int) { delivered = true; });
        jobs.waitForIdle();
        QVERIFY(!delivered);
        QVERIFY(!jobs.isBusy());
    }
};

QTEST_GUILESS_MAIN(TestJobTracker)
#include "tst_job_tracker.moc"
