#include "models/ProjectExplorerModel.h"

#include <QMap>

namespace ckptlab {

namespace {

QStandardItem* node(const QString& text, ProjectExplorerModel::NodeKind kind, const QString& name, int count)
{
    auto* item = new QStandardItem(text);
    item->setEditable(false);
    item->setData(int(kind), ProjectExplorerModel::KindRole);
    item->setData(name, ProjectExplorerModel::NameRole);
    item->setData(count, ProjectExplorerModel::CountRole);
    return item;
}

QStandardItem* countItem(int count)
{
    auto* item = new QStandardItem(QString::number(count));
    item->setEditable(false);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

ProjectExplorerModel::ProjectExplorerModel(QObject* parent) : QStandardItemModel(parent)
{
    setHorizontalHeaderLabels({tr("Name"), tr("Results")});
}

void ProjectExplorerModel::setSnapshot(const ResultSnapshot& s)
{
    QHash<RowId, int> perCheckpoint, perRecipe, perTask, perFormat;
    for (const ResultRow& r : s.results) {
        ++perCheckpoint[r.checkpointId];
        ++perRecipe[r.recipeId];
        ++perTask[r.taskId];
        ++perFormat[r.formatId];
    }

    removeRows(0, rowCount());
    setHorizontalHeaderLabels({tr("Name"), tr("Results")});

    // Checkpoint series, in checkpoint order (the snapshot is sorted).
    auto* checkpoints = node(tr("Checkpoints"), NodeKind::Group, QString(), 0);
    QMap<QString, QStandardItem*> seriesItems;
    QMap<QString, int> seriesCounts;
    for (const CheckpointInfo& c : s.checkpoints) {
        QStandardItem*& series = seriesItems[c.series];
        if (!series) {
            series = node(c.series, NodeKind::Series, c.series, 0);
            checkpoints->appendRow({series, countItem(0)});
        }
        const int count = perCheckpoint.value(c.id);
        seriesCounts[c.series] += count;
        QString text = c.label;
        if (c.isFinal && c.step)
            text += tr(" (step %1)").arg(*c.step);
        if (c.tokens)
            text += tr(" · %1B tokens").arg(*c.tokens / 1e9, 0, 'f', 0);
        series->appendRow({node(text, NodeKind::Checkpoint, c.label, count), countItem(count)});
    }
    for (int row = 0; row < checkpoints->rowCount(); ++row) {
        QStandardItem* series = checkpoints->child(row, 0);
        const int count = seriesCounts.value(series->data(NameRole).toString());
        series->setData(count, CountRole);
        series->setText(tr("%1 (%2 checkpoints)").arg(series->data(NameRole).toString()).arg(series->rowCount()));
        checkpoints->child(row, 1)->setText(QString::number(count));
    }

    auto* tasks = node(tr("Tasks"), NodeKind::Group, QString(), 0);
    for (const TaskInfo& t : s.tasks) {
        const int count = perTask.value(t.id);
        const QString text = t.metric.isEmpty() ? t.name : tr("%1 (%2)").arg(t.name, t.metric);
        auto* task = node(text, NodeKind::Task, t.name, count);
        for (const PromptFormatInfo& f : s.formats) {
            if (f.taskId != t.id)
                continue;
            auto* format = node(f.name, NodeKind::Format, f.name, perFormat.value(f.id));
            format->setData(t.name, TaskRole);
            task->appendRow({format, countItem(perFormat.value(f.id))});
        }
        tasks->appendRow({task, countItem(count)});
    }

    auto* recipes = node(tr("Recipes"), NodeKind::Group, QString(), 0);
    recipes->appendRow({node(tr("base (no fine-tuning)"), NodeKind::Recipe, QStringLiteral("base"),
                             perRecipe.value(kBaseRecipe)),
                        countItem(perRecipe.value(kBaseRecipe))});
    for (const RecipeInfo& r : s.recipes)
        recipes->appendRow({node(r.label(), NodeKind::Recipe, r.ftTask, perRecipe.value(r.id)), countItem(perRecipe.value(r.id))});

    appendRow({checkpoints, countItem(s.results.size())});
    appendRow({tasks, countItem(s.results.size())});
    appendRow({recipes, countItem(s.results.size())});
}

} // namespace ckptlab
