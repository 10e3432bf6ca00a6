#include "ingest/LmEvalModel.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>

namespace ckptlab {

namespace {

// "pretrained=EleutherAI/pythia-160m,revision=step3000" or {"pretrained": ..., "revision": ...}
Outcome<QHash<QString, QString>> modelArguments(const QJsonValue& value, const QString& filePath)
{
    QHash<QString, QString> args;
    if (value.isUndefined() || value.isNull())
        return args;
    if (value.isString()) {
        for (const QString& part : value.toString().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const qsizetype eq = part.indexOf(QLatin1Char('='));
            if (eq > 0)
                args.insert(part.left(eq).trimmed(), part.mid(eq + 1).trimmed());
        }
        return args;
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            if (it.value().isString() || it.value().isDouble() || it.value().isBool())
                args.insert(it.key(), it.value().toVariant().toString());
        return args;
    }
    return Outcome<QHash<QString, QString>>::failure(
        QStringLiteral("%1: config.model_args: expected a string (\"pretrained=...,revision=...\") or an object.")
            .arg(filePath));
}

// The first revision-like part of a file or folder name.
QString revisionIn(const QString& name)
{
    static const QRegularExpression re(
        QStringLiteral(R"((?:^|[_.@-])(step\d+(?:-tokens\d+(?:\.\d+)?[kmbt]?)?|checkpoint-\d+|ckpt\d+|global_step\d+)(?=$|[_.@-]))"),
        QRegularExpression::CaseInsensitiveOption);
    return re.match(name).captured(1);
}

// lm-eval names its output folders after the model with '/' -> "__".
QString seriesFromFolder(const QString& folder)
{
    const qsizetype cut = folder.lastIndexOf(QLatin1String("__"));
    return cut >= 0 ? folder.mid(cut + 2) : folder;
}

QString withoutResultsPrefix(const QString& baseName)
{
    static const QRegularExpression prefix(QStringLiteral(R"(^(?:results|evals?|lm[_-]?eval)(?:[_-]|$))"),
                                           QRegularExpression::CaseInsensitiveOption);
    return QString(baseName).remove(prefix);
}

bool looksLikeHubName(const QString& name)
{
    static const QRegularExpression re(QStringLiteral(R"(^[A-Za-z0-9][\w.-]*/[\w.-]+$)"));
    return re.match(name).hasMatch();
}

} // namespace

Outcome<LmEvalModel> identifyLmEvalModel(const QJsonObject& root, const QString& filePath, const ModelIdParser& parser,
                                         const QString& defaultSeries)
{
    const QJsonObject config = root.value(QLatin1String("config")).toObject();
    const auto args = modelArguments(config.value(QLatin1String("model_args")), filePath);
    if (!args)
        return Outcome<LmEvalModel>::failure(args.error());
    QString pretrained = args->value(QStringLiteral("pretrained"));
    if (pretrained.isEmpty())
        pretrained = args->value(QStringLiteral("model"));
    QString revision = args->value(QStringLiteral("revision"));
    if (revision.isEmpty())
        revision = config.value(QLatin1String("model_revision")).toString();
    QString modelName = root.value(QLatin1String("model_name")).toString();
    if (modelName.isEmpty())
        modelName = config.value(QLatin1String("model_name")).toString();

    const QFileInfo file(filePath);
    const QString baseName = file.completeBaseName();
    const QString parent = file.dir().dirName();
    const QString grandparent = QFileInfo(file.dir().absolutePath()).dir().dirName();
    QString fileRevision = revisionIn(baseName);
    if (fileRevision.isEmpty())
        fileRevision = parseRevision(parent) ? parent : revisionIn(parent);
    const QString folder = parseRevision(parent) || !revisionIn(parent).isEmpty() ? grandparent : parent;

    const QString name = lastPathPart(pretrained);
    QString fallbackSeries;
    if (!name.isEmpty()) // used when the name itself is only a revision: /ckpts/pythia-160m/step3000
        fallbackSeries = lastPathPart(pretrained.left(pretrained.size() - name.size()));
    else if (!modelName.isEmpty())
        fallbackSeries = lastPathPart(modelName);
    if (fallbackSeries.isEmpty())
        fallbackSeries = seriesFromFolder(folder);
    if (fallbackSeries.isEmpty())
        fallbackSeries = defaultSeries;

    LmEvalModel result;
    result.modelRef = pretrained.isEmpty() ? file.fileName() : pretrained;
    if (!revision.isEmpty())
        result.modelRef += QLatin1Char('@') + revision;
    result.keyPath = pretrained.isEmpty() ? QStringLiteral("config.model_args") : QStringLiteral("config.model_args.pretrained");

    const QString fromName = name.isEmpty() ? withoutResultsPrefix(baseName) : name;
    Outcome<ParsedModelId> parsed = Outcome<ParsedModelId>::failure({});
    if (parser.hasUserPattern()) {
        parsed = parser.parse(name.isEmpty() ? baseName : name,
                              {fallbackSeries, revision.isEmpty() ? fileRevision : revision});
    } else if (!revision.isEmpty()) {
        parsed = parser.parse(name.isEmpty() ? fallbackSeries : name, {{}, revision});
    } else {
        if (!fromName.isEmpty())
            parsed = parser.parse(fromName, {fallbackSeries, {}});
        if (!parsed && !fileRevision.isEmpty())
            parsed = parser.parse(name.isEmpty() ? fallbackSeries : name, {{}, fileRevision});
        if (!parsed && looksLikeHubName(pretrained))
            parsed = parser.parse(name, {{}, QStringLiteral("main")});
        if (!parsed)
            parsed = Outcome<ParsedModelId>::failure(
                QStringLiteral("no checkpoint: the model arguments name no revision and neither the file name nor "
                               "its folder names a step (e.g. results_step3000.json)"));
    }
    if (parsed && parsed->checkpoint.series.isEmpty())
        parsed->checkpoint.series = defaultSeries;
    if (!parsed) {
        result.reason = parsed.error();
    } else if (parsed->checkpoint.series.isEmpty()) {
        result.reason = QStringLiteral("no series: the file names no pretrained model or model_name");
    } else {
        result.model = parsed.value();
    }
    return result;
}

} // namespace ckptlab
