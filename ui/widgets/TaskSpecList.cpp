#include "widgets/TaskSpecList.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QSettings>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ckptlab {

namespace {

constexpr int kFormatsRole = Qt::UserRole + 1;

struct SpecSummary {
    QString name;
    bool trainable = false;
    bool evaluable = false;
    QStringList formats;
    QString error;
};

// The few fields the dialog shows; the planner reads the spec properly later.
SpecSummary readSummary(const QString& path)
{
    SpecSummary s;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        s.error = TaskSpecList::tr("cannot read the file");
        return s;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(1 << 20), &error);
    if (!doc.isObject()) {
        s.error = TaskSpecList::tr("not a JSON object: %1").arg(error.errorString());
        return s;
    }
    const QJsonObject o = doc.object();
    s.name = o.value(QStringLiteral("name")).toString(QFileInfo(path).completeBaseName());
    s.trainable = o.value(QStringLiteral("train")).isString();
    s.evaluable = o.value(QStringLiteral("eval")).isString();
    s.formats = o.value(QStringLiteral("formats")).toObject().keys();
    return s;
}

} // namespace

TaskSpecList::TaskSpecList(QWidget* parent) : QWidget(parent), m_tree(new QTreeWidget(this))
{
    m_tree->setObjectName(QStringLiteral("planTasks"));
    m_tree->setHeaderLabels({tr("Task"), tr("Fine-tune on"), tr("Evaluate on"), tr("Spec file")});
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setSectionResizeMode(Name, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(FineTune, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(Evaluate, QHeaderView::ResizeToContents);
    auto* add = new QPushButton(tr("Add task spec…"), this);
    add->setToolTip(tr("A task spec JSON with \"train\" (to fine-tune on) and/or \"eval\" (to evaluate on) data files."));
    connect(add, &QPushButton::clicked, this, &TaskSpecList::browse);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(add);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree, 1);
    layout->addLayout(buttons);
    connect(m_tree, &QTreeWidget::itemChanged, this, [this] {
        if (!m_updating)
            emit changed();
    });
}

bool TaskSpecList::addSpec(const QString& path, bool fineTune, bool evaluate)
{
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (!specs().contains(clean)) {
        const SpecSummary summary = readSummary(clean);
        m_updating = true;
        auto* item = new QTreeWidgetItem(m_tree, {summary.name.isEmpty() ? QFileInfo(clean).fileName() : summary.name, {}, {}, clean});
        item->setToolTip(Path, clean);
        item->setData(Name, kFormatsRole, summary.formats);
        const auto checkable = [&](int column, bool possible, const QString& why) {
            if (possible) {
                item->setCheckState(column, Qt::Unchecked);
                return;
            }
            item->setText(column, QStringLiteral("—"));
            item->setToolTip(column, why);
        };
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        checkable(FineTune, summary.trainable, tr("The spec has no \"train\" file."));
        checkable(Evaluate, summary.evaluable, tr("The spec has no \"eval\" file."));
        if (!summary.error.isEmpty()) {
            item->setForeground(Name, QColor(176, 0, 32));
            item->setToolTip(Name, tr("%1: %2").arg(clean, summary.error));
            item->setFlags(Qt::NoItemFlags);
        }
        m_updating = false;
        if (!summary.error.isEmpty())
            return false;
    }
    setChecked(clean, fineTune, evaluate);
    return true;
}

void TaskSpecList::setChecked(const QString& path, bool fineTune, bool evaluate)
{
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_tree->topLevelItem(i);
        if (item->text(Path) != clean)
            continue;
        m_updating = true;
        for (const auto& [column, on] : {std::pair{int(FineTune), fineTune}, std::pair{int(Evaluate), evaluate}})
            if (item->data(column, Qt::CheckStateRole).isValid())
                item->setCheckState(column, on ? Qt::Checked : Qt::Unchecked);
        m_updating = false;
        emit changed();
    }
}

QStringList TaskSpecList::specs() const
{
    QStringList out;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        out << m_tree->topLevelItem(i)->text(Path);
    return out;
}

QStringList TaskSpecList::checked(int column) const
{
    QStringList out;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_tree->topLevelItem(i);
        if (item->data(column, Qt::CheckStateRole).isValid() && item->checkState(column) == Qt::Checked)
            out << item->text(Path);
    }
    return out;
}

QStringList TaskSpecList::fineTuneSpecs() const
{
    return checked(FineTune);
}

QStringList TaskSpecList::evaluationSpecs() const
{
    return checked(Evaluate);
}

QStringList TaskSpecList::evaluationFormats() const
{
    QStringList formats;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_tree->topLevelItem(i);
        if (item->data(Evaluate, Qt::CheckStateRole).isValid() && item->checkState(Evaluate) == Qt::Checked)
            for (const QString& f : item->data(Name, kFormatsRole).toStringList())
                if (!formats.contains(f))
                    formats << f;
    }
    return formats;
}

void TaskSpecList::browse()
{
    QSettings settings;
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Task specs"), settings.value(QStringLiteral("plan/specFolder")).toString(),
                                                            tr("Task spec (*.json)"));
    for (const QString& file : files) {
        addSpec(file, true, true);
        settings.setValue(QStringLiteral("plan/specFolder"), QFileInfo(file).absolutePath());
    }
}

} // namespace ckptlab
