// ckptlab: the GUI entry point. Parses arguments, opens a window, nothing else.

#include "MainWindow.h"
#include "jobs/ComputeRuntime.h"
#include "jobs/ProjectSession.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ckptlab"));
    QCoreApplication::setOrganizationName(QStringLiteral("ckptlab"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CKPTLAB_VERSION));
    ckptlab::configureCompute();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Explore how pre-training shapes fine-tuning across checkpoints."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("example"), QStringLiteral("Open the bundled example project (Amuro & Char results).")});
    parser.addOption({QStringLiteral("import"), QStringLiteral("Import results into the opened project."), QStringLiteral("FILE_OR_DIR")});
    parser.addOption({QStringLiteral("add-checkpoints"), QStringLiteral("Add checkpoint folders (or folders of them) to the project."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("tab"), QStringLiteral("Chart tab to show: trajectory, change, sensitivity or gain."),
                      QStringLiteral("TAB")});
    parser.addOption({QStringLiteral("demo"),
                      QStringLiteral("Run the demo study (pre-train a tiny model, fine-tune and evaluate its checkpoints) "
                                     "into the given project, or into a new one in a temporary folder.")});
    parser.addOption({QStringLiteral("screenshot"), QStringLiteral("Save a screenshot of the window after loading, then quit."),
                      QStringLiteral("PNG")});
    parser.addOption({QStringLiteral("screenshot-after"),
                      QStringLiteral("Take the --screenshot this many seconds after start instead of after loading."),
                      QStringLiteral("SECONDS")});
    parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("Project file to open (created if missing)."),
                                 QStringLiteral("[PROJECT.ckptlab]"));
    parser.process(app);

    ckptlab::MainWindow window;
    window.show();
    const QStringList positional = parser.positionalArguments();
    if (parser.isSet(QStringLiteral("demo"))) {
        QString project = positional.value(0);
        if (project.isEmpty()) {
            QTemporaryDir folder(QDir::temp().filePath(QStringLiteral("ckptlab-demo-XXXXXX")));
            folder.setAutoRemove(false); // the researcher may want to reopen it
            project = folder.filePath(QStringLiteral("demo.ckptlab"));
        }
        fprintf(stderr, "ckptlab: demo study project: %s\n", qPrintable(QDir::toNativeSeparators(project)));
        if (!window.runDemoStudy(project)) {
            fprintf(stderr, "ckptlab: cannot prepare the demo study in %s\n", qPrintable(QDir::toNativeSeparators(project)));
            return 1;
        }
    } else if (!positional.isEmpty()) {
        window.openProject(positional.first(), true);
    } else if (parser.isSet(QStringLiteral("example"))) {
        window.openExample();
    } else {
        // First launch (or a last project that went away): the example.
        const QString last = QSettings().value(QStringLiteral("project/last")).toString();
        if (last.isEmpty() || !QFileInfo::exists(last) || !window.openProject(last))
            window.openExample();
    }
    if (parser.isSet(QStringLiteral("import")))
        window.importPaths(parser.values(QStringLiteral("import")));

    if (parser.isSet(QStringLiteral("add-checkpoints")))
        window.addCheckpointFolders(parser.values(QStringLiteral("add-checkpoints")));
    if (parser.isSet(QStringLiteral("tab"))) {
        const auto kind = ckptlab::figureKindFromName(parser.value(QStringLiteral("tab")));
        if (!kind) {
            fprintf(stderr, "ckptlab: --tab must be trajectory, change, sensitivity or gain\n");
            return 2;
        }
        window.chartTabs()->setCurrentIndex(int(*kind));
    }
    if (parser.isSet(QStringLiteral("screenshot")) && parser.isSet(QStringLiteral("screenshot-after"))) {
        bool ok = false;
        const double seconds = parser.value(QStringLiteral("screenshot-after")).toDouble(&ok);
        if (!ok || seconds < 0) {
            fprintf(stderr, "ckptlab: --screenshot-after needs a number of seconds\n");
            return 2;
        }
        const QString path = parser.value(QStringLiteral("screenshot"));
        QTimer::singleShot(qRound(seconds * 1000), &window, [&window, path] {
            window.grab().save(path);
            window.close();
        });
    } else if (parser.isSet(QStringLiteral("screenshot"))) {
        const QString path = parser.value(QStringLiteral("screenshot"));
        QObject::connect(window.session(), &ckptlab::ProjectSession::busyChanged, &window, [&window, path](bool busy) {
            if (busy)
                return;
            QTimer::singleShot(500, &window, [&window, path] {
                window.grab().save(path);
                window.close();
            });
        });
    }
    return app.exec();
}
