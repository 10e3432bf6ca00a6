#pragma once

#include <QStringList>
#include <QWidget>

class QTreeWidget;

namespace ckptlab {

// The task spec files a plan uses, each checkable for "fine-tune on it" and "evaluate on it".
// A spec without a "train" file cannot be fine-tuned on; one without "eval" cannot be
// evaluated; an unreadable one says why.
class TaskSpecList : public QWidget {
    Q_OBJECT
public:
    enum Column { Name, FineTune, Evaluate, Path };

    explicit TaskSpecList(QWidget* parent = nullptr);

    // Adds a spec (once); returns false when the file is not a readable task spec.
    bool addSpec(const QString& path, bool fineTune, bool evaluate);
    void setChecked(const QString& path, bool fineTune, bool evaluate);
    QStringList specs() const;
    QStringList fineTuneSpecs() const;
    QStringList evaluationSpecs() const;
    // Every prompt format named by the evaluated specs.
    QStringList evaluationFormats() const;

signals:
    void changed();

private:
    QStringList checked(int column) const;
    void browse();

    QTreeWidget* m_tree;
    bool m_updating = false;
};

} // namespace ckptlab
