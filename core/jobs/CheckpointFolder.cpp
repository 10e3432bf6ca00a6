#include "jobs/CheckpointFolder.h"

#include "engine/EngineError.h"
#include "engine/safetensors/SafetensorsHeader.h"
#include "jobs/CheckpointScanner.h"
#include "ingest/ModelIdParser.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSet>

namespace ckptlab {

namespace {

const char* const kIndexFile = "model.safetensors.index.json";

bool exists(const QDir& dir, const QString& name)
{
    return QFileInfo(dir.filePath(name)).isFile();
}

QStringList shardFiles(const QDir& dir)
{
    return dir.entryList({QStringLiteral("model-*-of-*.safetensors")}, QDir::Files, QDir::Name);
}

// A JSON object from a file, or an error message naming the file and what is wrong.
QJsonObject readJsonObject(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot read: %2").arg(path, file.errorString());
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1: not valid JSON at byte %2: %3").arg(path).arg(parseError.offset).arg(parseError.errorString());
        return {};
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("%1: expected a JSON object").arg(path);
        return {};
    }
    return doc.object();
}

bool hasTokenizerFiles(const QDir& dir)
{
    for (const char* name : {"tokenizer.json", "tokenizer.model", "vocab.json"})
        if (exists(dir, QLatin1String(name)))
            return true;
    return false;
}

qint64 folderBytes(const QDir& dir)
{
    qint64 total = 0;
    for (const QFileInfo& f : dir.entryInfoList(QDir::Files))
        total += f.size();
    return total;
}

// Step (and tokens) from the folder name, else trainer_state.json's global_step.
void readStep(const QDir& dir, CheckpointInfo& c)
{
    if (const auto revision = parseRevision(dir.dirName()); revision && !revision->isFinal) {
        c.step = revision->step;
        c.tokens = revision->tokens;
        c.label = revision->label;
        c.series = QFileInfo(dir.absolutePath()).dir().dirName();
        return;
    }
    QString ignored;
    const QJsonObject state = exists(dir, QStringLiteral("trainer_state.json"))
        ? readJsonObject(dir.filePath(QStringLiteral("trainer_state.json")), &ignored)
        : QJsonObject();
    if (state.value(QStringLiteral("global_step")).isDouble()) {
        c.step = qint64(state.value(QStringLiteral("global_step")).toDouble());
        c.label = QString::number(*c.step);
        c.series = QFileInfo(dir.absolutePath()).dir().dirName();
        return;
    }
    // A folder that names no step is a model of its own: its final checkpoint.
    c.isFinal = true;
    c.label = QStringLiteral("main");
    c.series = dir.dirName();
}

// Parameters, dominant dtype and header validity of every weight file.
void readSafetensorsHeaders(const QDir& dir, const QStringList& files, CheckpointInfo& c)
{
    qint64 parameters = 0;
    QMap<QString, qint64> bytesPerDtype;
    for (const QString& name : files) {
        try {
            const auto header = engine::readSafetensorsHeader(dir.filePath(name).toStdString());
            for (const engine::TensorEntry& t : header.tensors) {
                parameters += t.numel();
                bytesPerDtype[QString::fromLatin1(engine::dtypeName(t.dtype))] += qint64(t.byteSize());
            }
        } catch (const engine::EngineError& e) {
            c.status = checkpoint_status::broken();
            c.statusDetail = QString::fromStdString(e.what());
            return;
        }
    }
    c.parameters = parameters;
    qint64 most = -1;
    for (auto it = bytesPerDtype.cbegin(); it != bytesPerDtype.cend(); ++it)
        if (it.value() > most) {
            most = it.value();
            c.dtype = it.key();
        }
}

// The shards an index names; every one must exist.
QStringList indexedShards(const QDir& dir, CheckpointInfo& c)
{
    QString error;
    const QJsonObject index = readJsonObject(dir.filePath(QLatin1String(kIndexFile)), &error);
    if (!error.isEmpty()) {
        c.status = checkpoint_status::broken();
        c.statusDetail = error;
        return {};
    }
    const QJsonObject map = index.value(QStringLiteral("weight_map")).toObject();
    if (map.isEmpty()) {
        c.status = checkpoint_status::broken();
        c.statusDetail = QStringLiteral("%1: no weight_map").arg(dir.filePath(QLatin1String(kIndexFile)));
        return {};
    }
    QSet<QString> shards;
    for (auto it = map.begin(); it != map.end(); ++it)
        shards.insert(it.value().toString());
    QStringList sorted(shards.begin(), shards.end());
    sorted.sort();
    for (const QString& shard : sorted)
        if (!exists(dir, shard)) {
            c.status = checkpoint_status::broken();
            c.statusDetail = QStringLiteral("%1 names the shard %2, which is missing")
                                 .arg(dir.filePath(QLatin1String(kIndexFile)), shard);
            return {};
        }
    return sorted;
}

} // namespace

CheckpointLayout detectCheckpointLayout(const QString& folder)
{
    const QDir dir(folder);
    if (exists(dir, QStringLiteral("config.json"))) {
        if (exists(dir, QLatin1String(kIndexFile)))
            return CheckpointLayout::HuggingFaceSharded;
        if (exists(dir, QStringLiteral("model.safetensors")))
            return CheckpointLayout::HuggingFaceSafetensors;
        if (!shardFiles(dir).isEmpty())
            return CheckpointLayout::HuggingFaceSharded;
        if (exists(dir, QStringLiteral("pytorch_model.bin")) || exists(dir, QStringLiteral("pytorch_model.bin.index.json")))
            return CheckpointLayout::PytorchPickle;
    }
    if (exists(dir, QStringLiteral("config.yaml")) && exists(dir, QStringLiteral("model.pt")))
        return CheckpointLayout::OlmoNative;
    return CheckpointLayout::None;
}

CheckpointInfo readCheckpointFolder(const QString& folder, CheckpointLayout layout)
{
    const QDir dir(QFileInfo(folder).absoluteFilePath());
    CheckpointInfo c;
    c.path = dir.absolutePath();
    c.status = checkpoint_status::ok();
    c.bytes = folderBytes(dir);
    c.hasTokenizer = hasTokenizerFiles(dir) || hasTokenizerFiles(QDir(QFileInfo(dir.absolutePath()).absolutePath()));
    readStep(dir, c);

    if (layout == CheckpointLayout::OlmoNative) {
        c.family = QStringLiteral("olmo");
        c.status = checkpoint_status::needsConversion();
        c.statusDetail = QStringLiteral("OLMo native checkpoint (config.yaml + model.pt): convert it to the Hugging Face "
                                        "layout to use it");
        return c;
    }

    QString error;
    const QJsonObject config = readJsonObject(dir.filePath(QStringLiteral("config.json")), &error);
    if (!error.isEmpty()) {
        c.status = checkpoint_status::broken();
        c.statusDetail = error;
        return c;
    }
    c.family = config.value(QStringLiteral("model_type")).toString();
    if (c.family.isEmpty()) {
        c.status = checkpoint_status::broken();
        c.statusDetail = QStringLiteral("%1: no model_type").arg(dir.filePath(QStringLiteral("config.json")));
        return c;
    }

    switch (layout) {
    case CheckpointLayout::PytorchPickle:
        c.status = checkpoint_status::needsConversion();
        c.statusDetail = QStringLiteral("pytorch_model.bin is a pickle, which can run code when loaded: convert it to "
                                        "safetensors to use it (ckptlab never unpickles a file)");
        break;
    case CheckpointLayout::HuggingFaceSafetensors:
        readSafetensorsHeaders(dir, {QStringLiteral("model.safetensors")}, c);
        break;
    case CheckpointLayout::HuggingFaceSharded: {
        if (!exists(dir, QLatin1String(kIndexFile))) {
            c.status = checkpoint_status::broken();
            c.statusDetail = QStringLiteral("%1: sharded weights without %2").arg(dir.absolutePath(), QLatin1String(kIndexFile));
            break;
        }
        const QStringList shards = indexedShards(dir, c);
        if (c.status == checkpoint_status::ok())
            readSafetensorsHeaders(dir, shards, c);
        break;
    }
    default:
        break;
    }
    return c;
}

} // namespace ckptlab
