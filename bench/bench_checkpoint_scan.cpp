// Scanning speed: 150 checkpoint folders of a 1B-parameter model (Pythia-1B shapes: 16
// layers, width 2048, vocab 50304), each with config.json and a model.safetensors whose data
// area is a sparse hole, so the disk holds only the headers. The scan reads headers only.
// Prints "name value unit" lines; asserts nothing.

#include "jobs/CheckpointScanner.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtEndian>

#include <cstdio>

namespace {

constexpr int kCheckpoints = 150;

void figure(const char* name, double value, const char* unit)
{
    std::printf("%s %.3f %s\n", name, value, unit);
}

// Pythia-1B's tensors, by Hugging Face name, with fp16 sizes.
QByteArray pythia1bHeader(qint64* dataBytes)
{
    const qint64 h = 2048, vocab = 50304, ff = 8192;
    QJsonObject header;
    qint64 offset = 0;
    auto add = [&](const QString& name, QList<qint64> shape) {
        qint64 n = 1;
        QJsonArray dims;
        for (qint64 d : shape) {
            n *= d;
            dims.append(d);
        }
        header.insert(name, QJsonObject{{"dtype", "F16"}, {"shape", dims}, {"data_offsets", QJsonArray{offset, offset + 2 * n}}});
        offset += 2 * n;
    };
    add("gpt_neox.embed_in.weight", {vocab, h});
    for (int l = 0; l < 16; ++l) {
        const QString p = QStringLiteral("gpt_neox.layers.%1.").arg(l);
        for (const char* norm : {"input_layernorm", "post_attention_layernorm"}) {
            add(p + norm + ".weight", {h});
            add(p + norm + ".bias", {h});
        }
        add(p + "attention.query_key_value.weight", {3 * h, h});
        add(p + "attention.query_key_value.bias", {3 * h});
        add(p + "attention.dense.weight", {h, h});
        add(p + "attention.dense.bias", {h});
        add(p + "mlp.dense_h_to_4h.weight", {ff, h});
        add(p + "mlp.dense_h_to_4h.bias", {ff});
        add(p + "mlp.dense_4h_to_h.weight", {h, ff});
        add(p + "mlp.dense_4h_to_h.bias", {h});
    }
    add("gpt_neox.final_layer_norm.weight", {h});
    add("gpt_neox.final_layer_norm.bias", {h});
    add("embed_out.weight", {vocab, h});
    *dataBytes = offset;
    return QJsonDocument(header).toJson(QJsonDocument::Compact);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    const QString series = dir.filePath(QStringLiteral("pythia-1b"));
    qint64 dataBytes = 0;
    const QByteArray json = pythia1bHeader(&dataBytes);
    QByteArray length(8, '\0');
    qToLittleEndian<quint64>(quint64(json.size()), length.data());
    const QByteArray config = R"({"model_type": "gpt_neox", "hidden_size": 2048, "num_hidden_layers": 16})";
    for (int i = 1; i <= kCheckpoints; ++i) {
        const QString folder = series + QStringLiteral("/step%1").arg(i * 1000);
        QDir().mkpath(folder);
        QFile c(folder + "/config.json");
        c.open(QIODevice::WriteOnly);
        c.write(config);
        QFile weights(folder + "/model.safetensors");
        weights.open(QIODevice::WriteOnly);
        weights.write(length + json);
        weights.resize(8 + json.size() + dataBytes); // a sparse hole: no weights on disk
    }
    figure("checkpoints", kCheckpoints, "folders");
    figure("apparent_size_each", (8 + json.size() + dataBytes) / 1e9, "GB");

    QElapsedTimer timer;
    timer.start();
    const ckptlab::CheckpointScan scan = ckptlab::scanCheckpointFolders({series});
    figure("scan", timer.elapsed(), "ms");
    int ok = 0;
    for (const auto& c : scan.checkpoints)
        ok += c.status == QLatin1String("ok");
    figure("scanned_ok", ok, "checkpoints");
    figure("parameters_each", scan.checkpoints.isEmpty() ? 0 : scan.checkpoints.first().parameters.value_or(0) / 1e9, "B");
    return 0;
}
