#include "widgets/FilterPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QListWidget>
#include <QMap>
#include <QSet>
#include <QVBoxLayout>

#include <algorithm>

namespace ckptlab {

namespace {

QComboBox* combo(QWidget* parent, const QList<QPair<QString, QVariant>>& items)
{
    auto* box = new QComboBox(parent);
    for (const auto& [text, data] : items)
        box->addItem(text, data);
    return box;
}

// Replaces a combo's items, keeping the current data when it is still offered.
void refill(QComboBox* box, const QList<QPair<QString, QVariant>>& items, const QVariant& preferred)
{
    const QVariant current = box->currentData();
    box->clear();
    for (const auto& [text, data] : items)
        box->addItem(text, data);
    int index = box->findData(current);
    if (index < 0)
        index = box->findData(preferred);
    box->setCurrentIndex(std::max(index, 0));
}

} // namespace

FilterPanel::FilterPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildResultsGroup());
    layout->addWidget(buildRecipesGroup());
    layout->addWidget(buildChartGroup());
    layout->addStretch(1);
    connectControls();
}

QWidget* FilterPanel::buildResultsGroup()
{
    auto* what = new QGroupBox(tr("Results"), this);
    auto* form = new QFormLayout(what);
    m_task = new QComboBox(what);
    m_task->setObjectName(QStringLiteral("taskCombo"));
    m_format = new QComboBox(what);
    m_format->setObjectName(QStringLiteral("formatCombo"));
    m_shots = new QComboBox(what);
    m_shots->setObjectName(QStringLiteral("shotsCombo"));
    m_metric = new QComboBox(what);
    m_metric->setObjectName(QStringLiteral("metricCombo"));
    m_series = new QComboBox(what);
    m_series->setObjectName(QStringLiteral("seriesCombo"));
    form->addRow(tr("Eval &task"), m_task);
    form->addRow(tr("Prompt &format"), m_format);
    form->addRow(tr("&Shots"), m_shots);
    form->addRow(tr("&Metric"), m_metric);
    form->addRow(tr("Checkpoint s&eries"), m_series);
    return what;
}

QWidget* FilterPanel::buildRecipesGroup()
{
    auto* recipes = new QGroupBox(tr("Fine-tuning recipes"), this);
    auto* recipeLayout = new QVBoxLayout(recipes);
    m_recipes = new QListWidget(recipes);
    m_recipes->setObjectName(QStringLiteral("recipeList"));
    m_recipes->setMaximumHeight(150);
    recipeLayout->addWidget(m_recipes);
    return recipes;
}

QWidget* FilterPanel::buildChartGroup()
{
    auto* look = new QGroupBox(tr("Chart"), this);
    auto* lookForm = new QFormLayout(look);
    m_xAxis = combo(look, {{tr("Checkpoint (step order)"), int(XAxisMode::Index)},
                           {tr("Step"), int(XAxisMode::Step)},
                           {tr("Tokens"), int(XAxisMode::Tokens)}});
    m_xAxis->setObjectName(QStringLiteral("xAxisCombo"));
    m_logX = new QCheckBox(tr("Log scale"), look);
    m_errors = combo(look, {{tr("Shaded band (± stderr)"), int(ErrorDisplay::Band)},
                            {tr("Error bars (± stderr)"), int(ErrorDisplay::Bars)},
                            {tr("None"), int(ErrorDisplay::None)}});
    m_style = combo(look, {{tr("Screen"), QStringLiteral("screen")}, {tr("Paper (serif, colour-blind safe)"), QStringLiteral("paper")}});
    m_changeMode = combo(look, {{tr("Change (fine-tuned − base)"), int(ChangeMode::Change)},
                                {tr("Change ratio (÷ base)"), int(ChangeMode::Ratio)},
                                {tr("Forgetting: all untrained tasks"), int(ChangeMode::Forgetting)},
                                {tr("Mean change, trained vs other tasks (90% CI)"), int(ChangeMode::Aggregate)}});
    m_changeMode->setObjectName(QStringLiteral("changeModeCombo"));
    m_spread = combo(look, {{tr("Std across formats"), int(SpreadMode::StdDev)},
                            {tr("Max − min across formats"), int(SpreadMode::Range)},
                            {tr("Every format as a line"), int(SpreadMode::FormatLines)}});
    m_spread->setObjectName(QStringLiteral("spreadCombo"));
    lookForm->addRow(tr("&X axis"), m_xAxis);
    lookForm->addRow(QString(), m_logX);
    lookForm->addRow(tr("&Uncertainty"), m_errors);
    lookForm->addRow(tr("St&yle"), m_style);
    lookForm->addRow(tr("Change view"), m_changeMode);
    lookForm->addRow(tr("Sensitivity view"), m_spread);
    return look;
}

// Task, format and shots narrow each other (each refills the ones after it); every control
// changes the chart.
void FilterPanel::connectControls()
{
    connect(m_task, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating)
            return;
        m_updating = true;
        fillFormats();
        fillShots();
        fillMetrics();
        m_updating = false;
        emitChanged();
    });
    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating)
            return;
        m_updating = true;
        fillShots();
        fillMetrics();
        m_updating = false;
        emitChanged();
    });
    connect(m_shots, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating)
            return;
        m_updating = true;
        fillMetrics();
        m_updating = false;
        emitChanged();
    });
    for (QComboBox* box : {m_metric, m_series, m_xAxis, m_errors, m_style, m_changeMode, m_spread})
        connect(box, &QComboBox::currentIndexChanged, this, &FilterPanel::emitChanged);
    connect(m_logX, &QCheckBox::toggled, this, &FilterPanel::emitChanged);
    connect(m_recipes, &QListWidget::itemChanged, this, &FilterPanel::emitChanged);
}

void FilterPanel::emitChanged()
{
    if (!m_updating)
        emit selectionChanged();
}

void FilterPanel::setSnapshot(const ResultSnapshot* snapshot)
{
    m_snapshot = snapshot;
    m_updating = true;
    fillTasks();
    fillFormats();
    fillShots();
    fillMetrics();
    fillRecipesAndSeries();
    m_updating = false;
    emit selectionChanged();
}

void FilterPanel::fillTasks()
{
    QList<QPair<QString, QVariant>> items;
    QString busiest;
    if (m_snapshot) {
        QHash<RowId, int> counts;
        for (const ResultRow& r : m_snapshot->results)
            ++counts[r.taskId];
        int most = -1;
        for (const TaskInfo& t : m_snapshot->tasks) {
            items.append({t.name, t.name});
            if (counts.value(t.id) > most) {
                most = counts.value(t.id);
                busiest = t.name;
            }
        }
    }
    refill(m_task, items, busiest);
}

void FilterPanel::fillFormats()
{
    QList<QPair<QString, QVariant>> items;
    if (m_snapshot)
        if (const TaskInfo* t = m_snapshot->taskByName(m_task->currentData().toString()))
            for (const PromptFormatInfo& f : m_snapshot->formats)
                if (f.taskId == t->id)
                    items.append({f.name, f.name});
    refill(m_format, items, QStringLiteral("default"));
}

void FilterPanel::fillShots()
{
    QMap<int, int> counts;   // shots -> results
    if (m_snapshot)
        if (const TaskInfo* t = m_snapshot->taskByName(m_task->currentData().toString()))
            for (const ResultRow& r : m_snapshot->results) {
                const PromptFormatInfo* f = m_snapshot->format(r.formatId);
                if (r.taskId == t->id && f && f->name == m_format->currentData().toString())
                    ++counts[r.shots];
            }
    QList<QPair<QString, QVariant>> items;
    int preferred = 0, most = -1;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        items.append({tr("%1-shot").arg(it.key()), it.key()});
        if (it.value() > most) {
            most = it.value();
            preferred = it.key();
        }
    }
    refill(m_shots, items, preferred);
}

void FilterPanel::fillMetrics()
{
    QSet<QString> metrics;
    if (m_snapshot)
        if (const TaskInfo* t = m_snapshot->taskByName(m_task->currentData().toString()))
            for (const ResultRow& r : m_snapshot->results)
                if (r.taskId == t->id && r.shots == m_shots->currentData().toInt())
                    metrics.insert(r.metric);
    QStringList sorted(metrics.begin(), metrics.end());
    sorted.sort();
    QList<QPair<QString, QVariant>> items{{tr("(task's metric)"), QString()}};
    for (const QString& m : sorted)
        items.append({m, m});
    refill(m_metric, items, QString());
}

void FilterPanel::fillRecipesAndSeries()
{
    QSet<QString> unchecked;
    for (int i = 0; i < m_recipes->count(); ++i)
        if (m_recipes->item(i)->checkState() == Qt::Unchecked)
            unchecked.insert(m_recipes->item(i)->data(Qt::UserRole).toString());
    m_recipes->clear();
    QStringList ftTasks{QStringLiteral("base")};
    QSet<QString> series;
    if (m_snapshot) {
        QStringList names;
        for (const RecipeInfo& r : m_snapshot->recipes)
            if (!names.contains(r.ftTask))
                names << r.ftTask;
        names.sort();
        ftTasks << names;
        for (const CheckpointInfo& c : m_snapshot->checkpoints)
            series.insert(c.series);
    }
    for (const QString& ft : ftTasks) {
        auto* item = new QListWidgetItem(ft == QLatin1String("base") ? tr("base (no fine-tuning)") : ft, m_recipes);
        item->setData(Qt::UserRole, ft);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(unchecked.contains(ft) ? Qt::Unchecked : Qt::Checked);
    }
    QStringList seriesList(series.begin(), series.end());
    seriesList.sort();
    QList<QPair<QString, QVariant>> items{{tr("(all)"), QString()}};
    for (const QString& s : seriesList)
        items.append({s, s});
    refill(m_series, items, QString());
}

ResultSelection FilterPanel::selection() const
{
    ResultSelection s;
    s.task = m_task->currentData().toString();
    s.format = m_format->currentData().toString();
    if (s.format.isEmpty())
        s.format = QStringLiteral("default");
    s.shots = m_shots->currentData().toInt();
    s.metric = m_metric->currentData().toString();
    s.series = m_series->currentData().toString();
    bool all = true;
    QStringList checked;
    for (int i = 0; i < m_recipes->count(); ++i) {
        if (m_recipes->item(i)->checkState() == Qt::Checked)
            checked << m_recipes->item(i)->data(Qt::UserRole).toString();
        else
            all = false;
    }
    // Nothing checked selects nothing; "base" alone keeps the list non-empty but matches only base.
    s.ftTasks = all ? QStringList() : (checked.isEmpty() ? QStringList{QStringLiteral("\x01none")} : checked);
    return s;
}

FigureSpec FilterPanel::spec(FigureKind kind) const
{
    FigureSpec spec;
    spec.kind = kind;
    spec.selection = selection();
    if (kind == FigureKind::Gain)
        spec.selection.task.clear(); // one point per task and checkpoint: every task
    spec.xAxis = XAxisMode(m_xAxis->currentData().toInt());
    spec.logX = m_logX->isChecked();
    spec.errors = ErrorDisplay(m_errors->currentData().toInt());
    spec.changeMode = ChangeMode(m_changeMode->currentData().toInt());
    spec.spread = SpreadMode(m_spread->currentData().toInt());
    return spec;
}

QString FilterPanel::styleName() const
{
    return m_style->currentData().toString();
}

void FilterPanel::selectTask(const QString& task, const QString& format, int shots)
{
    m_updating = true;
    const int index = m_task->findData(task);
    if (index >= 0)
        m_task->setCurrentIndex(index);
    fillFormats();
    if (!format.isEmpty() && m_format->findData(format) >= 0)
        m_format->setCurrentIndex(m_format->findData(format));
    fillShots();
    if (shots >= 0 && m_shots->findData(shots) >= 0)
        m_shots->setCurrentIndex(m_shots->findData(shots));
    fillMetrics();
    m_updating = false;
    emit selectionChanged();
}

void FilterPanel::selectFtTasks(const QStringList& ftTasks)
{
    m_updating = true;
    for (int i = 0; i < m_recipes->count(); ++i) {
        QListWidgetItem* item = m_recipes->item(i);
        const bool on = ftTasks.isEmpty() || ftTasks.contains(item->data(Qt::UserRole).toString());
        item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
    }
    m_updating = false;
    emit selectionChanged();
}

void FilterPanel::setXAxis(XAxisMode mode, bool logX)
{
    m_updating = true;
    m_xAxis->setCurrentIndex(m_xAxis->findData(int(mode)));
    m_logX->setChecked(logX);
    m_updating = false;
    emit selectionChanged();
}

} // namespace ckptlab
