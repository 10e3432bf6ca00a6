#include "jobs/CheckpointInspection.h"

#include "engine/EngineError.h"
#include "engine/model/Inference.h"
#include "engine/model/ModelConfig.h"
#include "engine/safetensors/SafetensorsHeader.h"
#include "jobs/CheckpointFolder.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace ckptlab {

namespace {

QStringList describeConfig(const engine::ModelConfig& c)
{
    QStringList lines{QStringLiteral("model_type %1").arg(QString::fromStdString(c.modelType)),
                      QStringLiteral("layers %1").arg(c.numLayers),
                      QStringLiteral("hidden %1").arg(c.hiddenSize),
                      QStringLiteral("heads %1 (kv heads %2, head dim %3)").arg(c.numHeads).arg(c.numKvHeads).arg(c.headDim),
                      QStringLiteral("intermediate %1").arg(c.intermediateSize),
                      QStringLiteral("vocab %1").arg(c.vocabSize),
                      QStringLiteral("max positions %1").arg(c.maxPositions),
                      QStringLiteral("activation %1%2")
                          .arg(QString::fromStdString(c.activation), c.gatedMlp ? QStringLiteral(" (gated)") : QString())};
    if (c.rotary)
        lines << QStringLiteral("rotary on %1 of %2 head dims, base %3").arg(c.rotaryDim()).arg(c.headDim).arg(c.ropeTheta);
    if (c.learnedPositions)
        lines << QStringLiteral("learned positions");
    lines << QStringLiteral("residual %1")
                 .arg(c.residual == engine::ResidualKind::Parallel ? QStringLiteral("parallel") : QStringLiteral("sequential"));
    lines << QStringLiteral("tied embeddings %1").arg(c.tieWordEmbeddings ? QStringLiteral("yes") : QStringLiteral("no"));
    if (c.clipQkv)
        lines << QStringLiteral("clip_qkv %1").arg(*c.clipQkv);
    if (!c.torchDtype.empty())
        lines << QStringLiteral("torch_dtype %1").arg(QString::fromStdString(c.torchDtype));
    return lines;
}

// The weight files of a folder: model.safetensors, or the shards its index names.
QStringList weightFiles(const QDir& dir)
{
    if (QFileInfo(dir.filePath(QStringLiteral("model.safetensors"))).isFile())
        return {dir.filePath(QStringLiteral("model.safetensors"))};
    QFile index(dir.filePath(QStringLiteral("model.safetensors.index.json")));
    if (!index.open(QIODevice::ReadOnly))
        return {};
    const QJsonObject map = QJsonDocument::fromJson(index.readAll()).object().value(QStringLiteral("weight_map")).toObject();
    QSet<QString> shards;
    for (auto it = map.begin(); it != map.end(); ++it)
        shards.insert(it.value().toString());
    QStringList files;
    for (const QString& s : shards)
        files << dir.filePath(s);
    files.sort();
    return files;
}

} // namespace

Outcome<CheckpointInspection> inspectCheckpoint(const QString& folder)
{
    const QFileInfo info(folder);
    if (!info.isDir())
        return Outcome<CheckpointInspection>::failure(QStringLiteral("%1: no such folder").arg(folder));
    const CheckpointLayout layout = detectCheckpointLayout(folder);
    if (layout == CheckpointLayout::None)
        return Outcome<CheckpointInspection>::failure(
            QStringLiteral("%1: not a checkpoint (no config.json with weights, no config.yaml with model.pt)").arg(folder));

    CheckpointInspection inspection;
    inspection.checkpoint = readCheckpointFolder(folder, layout);
    const QDir dir(info.absoluteFilePath());
    try {
        if (QFileInfo(dir.filePath(QStringLiteral("config.json"))).isFile())
            inspection.config = describeConfig(engine::parseModelConfig(dir.filePath(QStringLiteral("config.json")).toStdString()));
    } catch (const std::exception& e) {
        inspection.config << QStringLiteral("config.json unusable: %1").arg(QString::fromStdString(e.what()));
    }
    if (layout == CheckpointLayout::HuggingFaceSafetensors || layout == CheckpointLayout::HuggingFaceSharded) {
        for (const QString& file : weightFiles(dir)) {
            try {
                for (const auto& t : engine::readSafetensorsHeader(file.toStdString()).tensors) {
                    CheckpointInspection::Tensor tensor;
                    tensor.name = QString::fromStdString(t.name);
                    tensor.dtype = QString::fromLatin1(engine::dtypeName(t.dtype));
                    for (std::int64_t d : t.shape)
                        tensor.shape << d;
                    inspection.tensors << tensor;
                }
            } catch (const std::exception&) {
                // The scan's status already says why this file is broken.
            }
        }
    }
    return inspection;
}

Outcome<SequenceLogits> computeLogits(const QString& folder, const std::vector<std::int64_t>& ids, const QString& dtype,
                                      const QString& device)
{
    try {
        engine::SequenceLogits logits
            = engine::forwardLogits(folder.toStdString(), ids, dtype.toStdString(), device.toStdString());
        SequenceLogits out;
        out.tokens = int(logits.tokens);
        out.vocab = int(logits.vocab);
        out.values = std::move(logits.values);
        return out;
    } catch (const std::exception& e) {
        return Outcome<SequenceLogits>::failure(QString::fromStdString(e.what()));
    }
}

} // namespace ckptlab
